output "mode" {
  description = "Deployment mode (serverless or hybrid)."
  value       = var.mode
}

output "image" {
  description = "Image every service and the VM run; push cmd/server here (make image, docker push)."
  value       = local.image
}

output "registry" {
  description = "Artifact Registry host and repository for docker push."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "api_url" {
  description = "Base URL of the task API (POST <api_url>/api/tasks/start). Callers send an API key (X-API-Key) or a Google ID token of an api_invokers account."
  value       = local.hybrid ? local.vm_url : local.run_url["api"]
}

output "function_urls" {
  description = "URL the pipeline uses for each enabled function (run.app or the VM)."
  value       = { for name, f in local.enabled_functions : name => local.fn_url[name] }
}

output "service_urls" {
  description = "Cloud Run services deployed in this mode, as Google reports their URLs."
  value       = { for name, m in module.functions : name => m.uri }
}

output "bucket" {
  description = "GCS bucket of invoice files and reports (HOADON_BUCKET)."
  value       = google_storage_bucket.files.name
}

output "workflows" {
  description = "Deployed workflows (name => id)."
  value       = { for f, w in google_workflows_workflow.workflow : w.name => w.id }
}

output "secrets" {
  description = "Secret ids whose values you add with gcloud secrets versions add (README step 4)."
  value       = { for k, s in google_secret_manager_secret.secret : k => s.secret_id }
}

output "service_accounts" {
  description = "Service accounts by role."
  value = {
    functions = google_service_account.functions.email
    eventsink = google_service_account.eventsink.email
    workflows = google_service_account.workflows.email
    tasks     = google_service_account.tasks.email
    scheduler = google_service_account.scheduler.email
  }
}

output "vm_address" {
  description = "Hybrid mode: IP address to point vm_domain's A record at (empty in serverless mode)."
  value       = local.vm_enabled ? google_compute_global_address.server[0].address : ""
}

output "vm_name" {
  description = "Hybrid mode: VM name, for gcloud compute ssh --tunnel-through-iap."
  value       = local.vm_enabled ? google_compute_instance.server[0].name : ""
}
