# Cloud Scheduler calls the schedtick function every 5 minutes (scheduled
# syncs, stuck-import sweeps). schedtick arrives with a later release: the
# job and its service exist only with schedtick_enabled = true, which must
# wait until the image registers the function (an unknown FUNCTION_TARGET
# stops the container).
resource "google_cloud_scheduler_job" "schedtick" {
  count = var.schedtick_enabled && var.deploy_workloads ? 1 : 0

  project          = var.project_id
  region           = var.region
  name             = "${var.name_prefix}-schedtick"
  description      = "hoadon periodic tick (schedtick function)"
  schedule         = var.schedtick_schedule
  time_zone        = "Asia/Ho_Chi_Minh"
  attempt_deadline = "300s"

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = local.fn_url["schedtick"]
    body        = base64encode("{}")
    headers = {
      "Content-Type" = "application/json"
    }

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.fn_url["schedtick"]
    }
  }

  depends_on = [module.functions, google_project_service.api]
}
