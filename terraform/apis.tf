# The Google APIs hoadon uses. Left enabled on destroy: other things in the
# project may use them too.
locals {
  apis = concat(
    [
      "artifactregistry.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "cloudscheduler.googleapis.com",
      "cloudtasks.googleapis.com",
      "firestore.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "run.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      "workflowexecutions.googleapis.com",
      "workflows.googleapis.com",
    ],
    var.gemini_enabled ? ["aiplatform.googleapis.com"] : [],
    local.hybrid ? ["compute.googleapis.com", "iap.googleapis.com"] : [],
  )
}

resource "google_project_service" "api" {
  for_each = toset(local.apis)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
