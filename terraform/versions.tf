# Terraform and provider versions. Attribute names follow the google provider
# 7.x documentation (checked against 7.45); terraform init writes the exact
# version into .terraform.lock.hcl, commit that file in your deployment repo.
terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.0, < 8.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
