output "name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.this.name
}

output "uri" {
  description = "HTTPS URL of the service (the run.app address Google assigns)."
  value       = google_cloud_run_v2_service.this.uri
}
