# Service accounts, one per kind of caller, each with only what it uses:
#   functions: runtime of the pipeline functions and of the hybrid VM
#   eventsink: runtime of the event sink (a consumer; reads its keys, writes Firestore)
#   workflows: runs the import workflow, calls login/discover/status/finalize/fail
#   tasks:     identity in the OIDC tokens of Cloud Tasks (download, deliver)
#   scheduler: identity of the Cloud Scheduler job calling schedtick

resource "google_service_account" "functions" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-functions"
  display_name = "hoadon functions runtime"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "eventsink" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-eventsink"
  display_name = "hoadon event sink runtime"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "workflows" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-workflows"
  display_name = "hoadon workflow runner"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "tasks" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-tasks"
  display_name = "hoadon Cloud Tasks OIDC identity"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "hoadon Cloud Scheduler identity"
  depends_on   = [google_project_service.api]
}

locals {
  # IAM members of the callers named in local.functions[*].callers.
  caller_members = {
    workflows = "serviceAccount:${google_service_account.workflows.email}"
    tasks     = "serviceAccount:${google_service_account.tasks.email}"
    scheduler = "serviceAccount:${google_service_account.scheduler.email}"
  }

  # run.invoker bindings per function: its callers, the API's clients, and
  # allUsers on the sink when it is public (it verifies signatures itself) and
  # on the API when API keys are on (the server checks the key or ID token).
  # With public_without_allusers the same services are opened by disabling
  # Cloud Run's invoker check instead (local.invoker_iam_disabled).
  public_functions = toset(concat(
    var.eventsink_public ? ["eventsink"] : [],
    var.api_keys_enabled ? ["api"] : [],
  ))
  invokers = {
    for name, f in local.functions : name => merge(
      { for c in f.callers : c => local.caller_members[c] },
      name == "api" ? { for i, m in var.api_invokers : "client-${i}" => m } : {},
      contains(local.public_functions, name) && !var.public_without_allusers ? { public = "allUsers" } : {},
    )
  }
  invoker_iam_disabled = { for name in keys(local.functions) : name => var.public_without_allusers && contains(local.public_functions, name) }

  # Project roles of the pipeline runtime. Queues dl-{mst} are created on
  # demand, so the runtime administers queues (create, update rate) and
  # enqueues tasks at project scope; the lost-task sweep reads tasks
  # (cloudtasks.tasks.get, in cloudtasks.viewer, not in queueAdmin). (An IAM
  # condition on resource.name could narrow this to dl-* and webhooks; not
  # verified, so not used.) iam_permissions_test.go checks these roles cover
  # every Google API call the code makes.
  functions_roles = concat(
    [
      "roles/datastore.user",
      "roles/cloudtasks.queueAdmin",
      "roles/cloudtasks.enqueuer",
      "roles/cloudtasks.viewer",
      "roles/workflows.invoker",
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter", # shared/metrics' export (and the hybrid VM's monitoring agent)
    ],
    var.gemini_enabled ? ["roles/aiplatform.user"] : [],
  )
}

resource "google_project_iam_member" "functions" {
  for_each = toset(local.functions_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.functions.email}"
}

resource "google_project_iam_member" "eventsink" {
  for_each = toset(["roles/datastore.user", "roles/logging.logWriter"])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.eventsink.email}"
}

resource "google_project_iam_member" "workflows_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.workflows.email}"
}

# Creating a task that carries the tasks account's OIDC token needs actAs on it.
resource "google_service_account_iam_member" "functions_act_as_tasks" {
  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.functions.email}"
}

# Files: objects only, on this bucket only.
resource "google_storage_bucket_iam_member" "functions_objects" {
  bucket = google_storage_bucket.files.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.functions.email}"
}

# The hybrid VM pulls the image with the functions account.
resource "google_artifact_registry_repository_iam_member" "functions_pull" {
  count = local.hybrid ? 1 : 0

  project    = var.project_id
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.functions.email}"
}
