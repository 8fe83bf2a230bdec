# The first apply (README step 2): deploy_workloads defaults to false and
# creates the foundation only.
# Plans only: the google provider is configured with a placeholder token and
# never called (the one data source is overridden), so no project is needed.
provider "google" {
  project      = "hoadon-plan"
  region       = "asia-southeast1"
  access_token = "plan-only"
}

override_data {
  target = data.google_project.this
  values = {
    number = "123456789012"
  }
}

variables {
  project_id = "hoadon-plan"
}

run "foundation" {
  command = plan

  assert {
    condition     = length(module.functions) == 0 && length(google_workflows_workflow.workflow) == 0 && length(google_compute_instance.server) == 0
    error_message = "The first apply must not deploy services, workflows or the VM: their image and secret versions do not exist yet."
  }

  assert {
    condition     = google_firestore_index.invoices_by_status.query_scope == "COLLECTION"
    error_message = "The stale-invoice query runs on one import's invoices: its index must be collection-scoped."
  }

  assert {
    condition     = google_firestore_index.imports_by_company.fields[0].field_path == "tenant" && google_firestore_index.imports_by_company.fields[2].field_path == "created_at" && google_firestore_index.imports_by_company.fields[2].order == "DESCENDING"
    error_message = "A tenant's imports of a company are listed newest first (tenant, company, created_at descending)."
  }

  assert {
    condition     = google_project_iam_member.functions["roles/cloudtasks.viewer"].role == "roles/cloudtasks.viewer"
    error_message = "The functions account needs cloudtasks.tasks.get (TaskExists) through roles/cloudtasks.viewer."
  }

  assert {
    condition     = google_project_iam_member.functions["roles/monitoring.metricWriter"].role == "roles/monitoring.metricWriter"
    error_message = "Every process exports its metrics to Cloud Monitoring (shared/metrics): the functions account writes time series."
  }

  assert {
    condition = alltrue([
      strcontains(google_monitoring_alert_policy.login_failing.conditions[0].condition_prometheus_query_language[0].query, "workload_googleapis_com:hoadon_portal_logins"),
      strcontains(google_monitoring_alert_policy.login_failing.conditions[0].condition_prometheus_query_language[0].query, "[1d]"),
      strcontains(google_monitoring_alert_policy.login_failing.conditions[0].condition_prometheus_query_language[0].query, "by (company)"),
    ])
    error_message = "The login alert watches hoadon.portal.logins per company over a day."
  }

  assert {
    condition = alltrue([
      strcontains(google_monitoring_alert_policy.deliveries_failing.conditions[0].condition_prometheus_query_language[0].query, "workload_googleapis_com:hoadon_event_deliveries"),
      google_monitoring_alert_policy.deliveries_failing.conditions[0].condition_prometheus_query_language[0].duration == "3600s",
    ])
    error_message = "The delivery alert watches hoadon.event.deliveries and fires after an hour of failures."
  }
}
