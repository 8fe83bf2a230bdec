output "name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.this.name
}

output "uri" {
  description = "HTTPS URL of the service (the run.app address Google assigns)."
  value       = google_cloud_run_v2_service.this.uri
}

output "ingress" {
  description = "Ingress setting of the service (read by the plan tests in terraform/tests)."
  value       = google_cloud_run_v2_service.this.ingress
}

output "invokers" {
  description = "Who holds roles/run.invoker on the service: caller role => IAM member."
  value       = { for k, m in google_cloud_run_v2_service_iam_member.invoker : k => m.member }
}

output "invoker_iam_disabled" {
  description = "Whether Cloud Run skips the invoker check (a public service that authenticates callers itself)."
  value       = var.invoker_iam_disabled
}

output "env" {
  description = "Plain environment of the container (secrets excluded)."
  value       = var.env
}

output "secret_files" {
  description = "Files mounted from Secret Manager: path => secret id."
  value       = var.secret_files
}
