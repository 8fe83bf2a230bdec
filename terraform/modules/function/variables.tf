variable "project_id" {
  description = "Project that owns the service."
  type        = string
}

variable "region" {
  description = "Cloud Run region."
  type        = string
}

variable "service_name" {
  description = "Cloud Run service name (lowercase letters, digits and hyphens)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$", var.service_name))
    error_message = "service_name must be 1-49 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_target" {
  description = "Registered function name the container serves (FUNCTION_TARGET)."
  type        = string
}

variable "image" {
  description = "Container image of cmd/server, the same for every function."
  type        = string
}

variable "service_account" {
  description = "Email of the runtime service account."
  type        = string
}

variable "ingress" {
  description = "Cloud Run ingress setting."
  type        = string

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "invokers" {
  description = "Callers granted roles/run.invoker: static key (caller role) => IAM member."
  type        = map(string)
  default     = {}
}

variable "invoker_iam_disabled" {
  description = "Skip Cloud Run's run.invoker check (a public service that authenticates callers itself), instead of an allUsers binding."
  type        = bool
  default     = false
}

variable "env" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Environment variables read from Secret Manager: name => secret id (latest version)."
  type        = map(string)
  default     = {}
}

variable "secret_files" {
  description = "Files read from Secret Manager (latest version), mounted read-only: absolute path => secret id. One file per directory."
  type        = map(string)
  default     = {}
}

variable "cpu" {
  description = "CPU limit, e.g. \"1\"."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory limit, e.g. \"512Mi\"."
  type        = string
  default     = "512Mi"
}

variable "timeout_seconds" {
  description = "Request timeout in seconds (Cloud Run allows up to 3600)."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be 1..3600."
  }
}

variable "concurrency" {
  description = "Requests one instance serves at once."
  type        = number
  default     = 40
}

variable "max_instances" {
  description = "Upper bound of instances (cost cap)."
  type        = number
  default     = 10
}

variable "deletion_protection" {
  description = "Refuse terraform destroy of the service."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels on the service."
  type        = map(string)
  default     = {}
}
