#!/usr/bin/env bash
# make tf-check: terraform init, validate and test (terraform/tests/*.tftest.hcl:
# plans of the foundation, serverless and hybrid shapes) with the google
# provider taken from a local filesystem mirror, never from the network.
#
#   HOADON_TF_PROVIDER_MIRROR=/path/to/mirror make tf-check
#
# The mirror is a directory in Terraform's unpacked filesystem-mirror layout:
#   $HOADON_TF_PROVIDER_MIRROR/registry.terraform.io/hashicorp/google/<version>/<os>_<arch>/terraform-provider-google_v<version>
# with a 7.x version (terraform/versions.tf). terraform/README.md ("Checking the
# plan") says how to build one from the provider's public source with Go.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${HOADON_TF_PROVIDER_MIRROR:-}
provider=registry.terraform.io/hashicorp/google

fail() { echo "tf-check: $*" >&2; exit 1; }
command -v terraform >/dev/null || fail "terraform is not installed (1.7 or newer: terraform test with override_data)"
[ -n "$mirror" ] || fail "HOADON_TF_PROVIDER_MIRROR is not set: point it at a filesystem mirror holding $provider/<7.x version>/$(go env GOOS)_$(go env GOARCH)/terraform-provider-google_v<version> (terraform/README.md, \"Checking the plan\")"
mirror=$(cd "$mirror" 2>/dev/null && pwd) || fail "HOADON_TF_PROVIDER_MIRROR=$HOADON_TF_PROVIDER_MIRROR is not a directory"
platform=$(go env GOOS)_$(go env GOARCH)
# Unpacked (<version>/<platform>/terraform-provider-google_v<version>) or
# packed (terraform-provider-google_<version>_<platform>.zip) layout.
found=$( { find "$mirror/$provider" -mindepth 3 -maxdepth 3 -type f -perm -u+x -path "*/7.*/$platform/terraform-provider-google_v7.*" 2>/dev/null
  find "$mirror/$provider" -mindepth 1 -maxdepth 1 -type f -name "terraform-provider-google_7.*_$platform.zip" 2>/dev/null; } | head -1 || true)
[ -n "$found" ] || fail "no google provider 7.x for $platform under $mirror/$provider (want <version>/$platform/terraform-provider-google_v<version>, executable, or terraform-provider-google_<version>_$platform.zip)"
echo "tf-check: provider $found"

# A scratch copy, so init's .terraform/ and lock file stay out of the tree;
# workflows.tf reads ../workflows-yaml.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/terraform"
tar -C "$root/terraform" --exclude='*.go' --exclude='.terraform*' --exclude=terraform.tfvars -cf - . | tar -C "$work/terraform" -xf -
cp -r "$root/workflows-yaml" "$work/workflows-yaml"
cat > "$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["$provider"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cd "$work/terraform"
terraform init -input=false -backend=false -no-color >/dev/null || terraform init -input=false -backend=false -no-color
terraform validate -no-color
terraform test -no-color
