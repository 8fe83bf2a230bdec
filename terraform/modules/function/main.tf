# One function of hoadon as a Cloud Run service: the shared server image with
# FUNCTION_TARGET choosing the handler, plus the run.invoker bindings that
# decide who may call it. Internal functions get no public binding at all.
resource "google_cloud_run_v2_service" "this" {
  project             = var.project_id
  name                = var.service_name
  location            = var.region
  ingress             = var.ingress
  deletion_protection = var.deletion_protection
  labels              = var.labels

  # Public services without an allUsers binding (organisation policies may
  # refuse allUsers): the service checks its callers itself.
  invoker_iam_disabled = var.invoker_iam_disabled

  template {
    service_account                  = var.service_account
    timeout                          = "${var.timeout_seconds}s"
    max_instance_request_concurrency = var.concurrency

    scaling {
      min_instance_count = 0
      max_instance_count = var.max_instances
    }

    # A secret mounted as a file: its directory holds only that file.
    dynamic "volumes" {
      for_each = var.secret_files
      content {
        name = "file-${substr(sha1(volumes.key), 0, 12)}"
        secret {
          secret = volumes.value
          items {
            version = "latest"
            path    = basename(volumes.key)
          }
        }
      }
    }

    containers {
      image = var.image

      dynamic "volume_mounts" {
        for_each = var.secret_files
        content {
          name       = "file-${substr(sha1(volume_mounts.key), 0, 12)}"
          mount_path = dirname(volume_mounts.key)
        }
      }

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle = true
      }

      env {
        name  = "FUNCTION_TARGET"
        value = var.function_target
      }

      dynamic "env" {
        for_each = var.env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }
    }
  }
}

# Who may call the service with an OIDC token. Keys are static names (the
# caller's role), values are IAM members, so plans work before the service
# accounts exist.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.invokers

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.this.name
  role     = "roles/run.invoker"
  member   = each.value
}
