# The webhooks queue feeding the deliver function. The per-company download
# queues dl-{mst} are created and tuned by the code itself (adaptive rate), so
# they are not managed here; terraform destroy leaves them behind (delete them
# with gcloud tasks queues delete if needed).
resource "google_cloud_tasks_queue" "webhooks" {
  project  = var.project_id
  name     = "webhooks"
  location = var.region

  rate_limits {
    max_dispatches_per_second = 50
    max_concurrent_dispatches = 20
  }

  # The same settings shared/queue uses when it creates the queue itself
  # (Config.MaxAttempts drives the handlers' last-attempt logic).
  retry_config {
    max_attempts  = 12
    min_backoff   = "2s"
    max_backoff   = "300s"
    max_doublings = 5
  }

  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.api]
}
