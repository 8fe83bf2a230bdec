# Invoice files (raw ZIP, XML, parsed JSON) and import reports, plus the
# registry holding the server image.

resource "google_storage_bucket" "files" {
  project                     = var.project_id
  name                        = local.bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection
  labels                      = local.labels

  versioning {
    enabled = false # objects are written once (ifGenerationMatch=0)
  }

  dynamic "lifecycle_rule" {
    for_each = var.bucket_coldline_after_days > 0 ? [var.bucket_coldline_after_days] : []
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type          = "SetStorageClass"
        storage_class = "COLDLINE"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.bucket_delete_after_days > 0 ? [var.bucket_delete_after_days] : []
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = var.name_prefix
  format        = "DOCKER"
  description   = "hoadon server images (cmd/server)"
  labels        = local.labels

  depends_on = [google_project_service.api]
}
