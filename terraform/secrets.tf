# Secret Manager secrets. Terraform creates the secrets but never their
# values, so no key ever lands in the Terraform state: add versions with
# gcloud (README.md, step 5). Cloud Run reads the latest version as an
# environment variable; the hybrid VM fetches it at boot into a tmpfs file
# (HOADON_*_FILE).
#   encryption-key: HOADON_ENCRYPTION_KEY, 32 bytes (hex or base64), seals portal passwords and tokens
#   signing-key:    HOADON_SIGNING_KEY, Ed25519 private key (PEM/base64) or HMAC secret, signs events
#   sink-keys:      HOADON_SINK_KEYS, keyid=alg:material list the event sink verifies with
#   trusted-ca:     HOADON_TRUSTED_CA_FILE, PEM CA certificates invoice signatures must chain to
#                   (public, but a secret is what Cloud Run mounts as a file; var.trusted_ca)

locals {
  secrets = {
    encryption-key = "HOADON_ENCRYPTION_KEY: AES-256-GCM key sealing portal passwords and session tokens"
    signing-key    = "HOADON_SIGNING_KEY: RFC 9421 signing key of outgoing events"
    sink-keys      = "HOADON_SINK_KEYS: verifying keys of the event sink"
    trusted-ca     = "HOADON_TRUSTED_CA_FILE: CA certificates invoice signatures must chain to"
  }

  # Which runtime reads which secret.
  functions_secrets = concat(["encryption-key", "signing-key", "trusted-ca"], local.hybrid ? ["sink-keys"] : [])
}

resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  project   = var.project_id
  secret_id = "${var.name_prefix}-${each.key}"
  labels    = local.labels
  annotations = {
    purpose = each.value
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_member" "functions" {
  for_each = toset(local.functions_secrets)

  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.functions.email}"
}

resource "google_secret_manager_secret_iam_member" "eventsink" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.secret["sink-keys"].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.eventsink.email}"
}
