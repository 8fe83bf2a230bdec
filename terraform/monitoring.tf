# Alerts on the operational metrics every process exports to Cloud Monitoring
# (shared/metrics: metric types workload.googleapis.com/hoadon.*, on the
# generic_task resource, one task per process). PromQL names them with the
# first "/" as ":" and every other "." as "_". The conditions skip metric
# validation: the descriptors exist only once the first process exported.

locals {
  logins_metric     = "workload_googleapis_com:hoadon_portal_logins"
  deliveries_metric = "workload_googleapis_com:hoadon_event_deliveries"
}

# A company whose portal logins failed (wrong password, locked account, the
# portal refusing or down) and none succeeded for a whole day: its invoices are
# no longer imported. One incident per company (the company label).
resource "google_monitoring_alert_policy" "login_failing" {
  project               = var.project_id
  display_name          = "hoadon: a company's portal logins fail for a day"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "logins failed and none succeeded in 24 h, per company"
    condition_prometheus_query_language {
      query                     = <<-EOT
        sum by (company) (increase(${local.logins_metric}{monitored_resource="generic_task", result!="ok"}[1d])) > 0
        unless on (company)
        sum by (company) (increase(${local.logins_metric}{monitored_resource="generic_task", result="ok"}[1d])) > 0
      EOT
      evaluation_interval       = "300s"
      disable_metric_validation = true
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "No portal login of company $${metric.label.company} succeeded in 24 hours and some failed. Open the console's company page for the login health (wrong password, locked, portal down); update the credentials if the password changed. The label result of ${local.logins_metric} says why."
  }

  depends_on = [google_project_service.api]
}

# Event deliveries to webhook subscribers failing, none succeeding, for an
# hour: every 15 minutes of the last hour saw failed attempts (Cloud Tasks
# retries a failing delivery at least every HOADON_TASKS_MAX_BACKOFF, 5 min)
# and no delivery. Events wait in the outbox; nothing is lost until the tasks
# run out of attempts.
resource "google_monitoring_alert_policy" "deliveries_failing" {
  project               = var.project_id
  display_name          = "hoadon: event deliveries fail for an hour"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "deliveries failed and none succeeded, for an hour"
    condition_prometheus_query_language {
      query                     = <<-EOT
        sum(increase(${local.deliveries_metric}{monitored_resource="generic_task", result="failed"}[15m])) > 0
        unless
        sum(increase(${local.deliveries_metric}{monitored_resource="generic_task", result="delivered"}[15m])) > 0
      EOT
      duration                  = "3600s"
      evaluation_interval       = "60s"
      disable_metric_validation = true
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Webhook subscribers have refused or not answered every event delivery for an hour. Check the subscribers (HOADON_WEBHOOK_URLS) and the deliver function's logs; events stay in the outbox and are delivered once a subscriber answers 2xx."
  }

  depends_on = [google_project_service.api]
}
