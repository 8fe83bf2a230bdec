# Inputs of the hoadon deployment. Only project_id is required; everything
# else has a default that works for a first import in serverless mode.

variable "project_id" {
  description = "Google Cloud project id to deploy into."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid project id (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region of Cloud Run, Workflows, Cloud Tasks, Scheduler, the bucket and the registry. asia-southeast1 (Singapore) is the closest to the portal."
  type        = string
  default     = "asia-southeast1"
}

variable "mode" {
  description = "serverless: every function is a Cloud Run service. hybrid: cmd/server on one Compute Engine VM serves every function, plus a serverless download service for bursts."
  type        = string
  default     = "serverless"

  validation {
    condition     = contains(["serverless", "hybrid"], var.mode)
    error_message = "mode must be \"serverless\" or \"hybrid\"."
  }
}

variable "deploy_workloads" {
  description = "false (default) creates the foundation only (APIs, service accounts, secrets, registry, database, bucket, queue) so the image can be pushed and secret values added; true, in a second apply, also deploys services, workflow, VM and scheduler. Cloud Run refuses a revision whose image or secret version does not exist yet, so a first apply with true fails."
  type        = bool
  default     = false
}

variable "name_prefix" {
  description = "Prefix of every resource name (services hoadon-login, ...)."
  type        = string
  default     = "hoadon"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,14}$", var.name_prefix))
    error_message = "name_prefix must be 2-15 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "image" {
  description = "Full image reference of cmd/server. Empty means REGION-docker.pkg.dev/PROJECT/<name_prefix>/server:<image_tag> in the registry created here."
  type        = string
  default     = ""
}

variable "image_tag" {
  description = "Tag (or @sha256 digest suffix without the @) used when image is empty. Prefer an immutable tag per release so a new apply rolls out a new revision."
  type        = string
  default     = "latest"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region such as asia-southeast1, or a multi-region such as nam5/eur3). Cannot change after creation."
  type        = string
  default     = "asia-southeast1"
}

variable "bucket_name" {
  description = "Name of the GCS bucket for invoice files and reports. Empty means <project_id>-<name_prefix>."
  type        = string
  default     = ""
}

variable "bucket_delete_after_days" {
  description = "Delete objects this many days after creation (lifecycle rule); 0 keeps them forever. Invoices must be kept 10 years under Vietnamese accounting law, so only set this for test projects."
  type        = number
  default     = 0

  validation {
    condition     = var.bucket_delete_after_days >= 0
    error_message = "bucket_delete_after_days must be 0 (keep) or a positive number of days."
  }
}

variable "bucket_coldline_after_days" {
  description = "Move objects to COLDLINE storage this many days after creation; 0 disables the rule. Originals are rarely read after the month they were imported."
  type        = number
  default     = 90

  validation {
    condition     = var.bucket_coldline_after_days >= 0
    error_message = "bucket_coldline_after_days must be >= 0."
  }
}

variable "deletion_protection" {
  description = "Protect the database, bucket (no force_destroy), services and workflow against terraform destroy. Set false only for throwaway projects."
  type        = bool
  default     = true
}

variable "gdt_base_url" {
  description = "Portal API base URL (HOADON_GDT_BASE_URL). The real portal is https://hoadondientu.gdt.gov.vn/api; point it at a simulator for a dry run."
  type        = string
  default     = "https://hoadondientu.gdt.gov.vn/api"

  validation {
    condition     = can(regex("^https?://", var.gdt_base_url))
    error_message = "gdt_base_url must be an http(s) URL."
  }
}

variable "gdt_proxy" {
  description = "HTTP proxy for portal calls (HOADON_GDT_PROXY), e.g. http://10.0.0.5:3128 on a Vietnamese egress; empty calls the portal directly."
  type        = string
  default     = ""
}

variable "trusted_ca" {
  description = "Check invoice signature chains against the trust store in the <name_prefix>-trusted-ca secret (PEM CA certificates; add a version before enabling): Cloud Run mounts it as HOADON_TRUSTED_CA_FILE (the hybrid VM reads it whenever it has a version). false: chains are reported not_checked."
  type        = bool
  default     = false
}

variable "gdt_require_ttxly" {
  description = "List purchase invoices once per ttxly value 5, 6, 8 (HOADON_GDT_REQUIRE_TTXLY)."
  type        = bool
  default     = false
}

variable "company_concurrency" {
  description = "Parallel downloads per company (HOADON_COMPANY_CONCURRENCY, maxConcurrentDispatches of the dl-{mst} queues)."
  type        = number
  default     = 4

  validation {
    condition     = var.company_concurrency >= 1 && var.company_concurrency <= 100
    error_message = "company_concurrency must be 1..100."
  }
}

variable "company_rate" {
  description = "Initial downloads per second per company (HOADON_COMPANY_RATE)."
  type        = number
  default     = 4

  validation {
    condition     = var.company_rate > 0 && var.company_rate <= 500
    error_message = "company_rate must be > 0 and <= 500 (the Cloud Tasks per-queue maximum)."
  }
}

variable "company_max_rate" {
  description = "Ceiling of the adaptive per-company rate (HOADON_COMPANY_MAX_RATE); must be >= company_rate."
  type        = number
  default     = 10

  validation {
    condition     = var.company_max_rate > 0 && var.company_max_rate <= 500
    error_message = "company_max_rate must be > 0 and <= 500."
  }
}

variable "discovery_concurrency" {
  description = "Month windows listed at once per import (workflow HOADON_DISCOVERY_CONCURRENCY)."
  type        = number
  default     = 2

  validation {
    condition     = var.discovery_concurrency >= 1 && var.discovery_concurrency <= 20
    error_message = "discovery_concurrency must be 1..20 (Workflows runs at most 20 parallel branches)."
  }
}

variable "max_wait_seconds" {
  description = "How long an import waits for its downloads (workflow HOADON_MAX_WAIT_SECONDS)."
  type        = number
  default     = 21600
}

variable "poll_max_seconds" {
  description = "Longest sleep between status polls (workflow HOADON_POLL_MAX_SECONDS)."
  type        = number
  default     = 60
}

variable "webhook_urls" {
  description = "Subscriber URLs every event is delivered to (HOADON_WEBHOOK_URLS). https only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.webhook_urls : startswith(u, "https://")])
    error_message = "webhook_urls must all be https URLs."
  }
}

variable "signing_key_id" {
  description = "Key id in the events' RFC 9421 signatures (HOADON_SIGNING_KEY_ID)."
  type        = string
  default     = "hoadon"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,128}$", var.signing_key_id))
    error_message = "signing_key_id must be 1-128 of A-Z a-z 0-9 . _ -."
  }
}

variable "signing_alg" {
  description = "Signature algorithm of events (HOADON_SIGNING_ALG): ed25519 or hmac-sha256."
  type        = string
  default     = "ed25519"

  validation {
    condition     = contains(["ed25519", "hmac-sha256"], var.signing_alg)
    error_message = "signing_alg must be ed25519 or hmac-sha256."
  }
}

variable "gemini_enabled" {
  description = "Enable the Vertex AI (Gemini) captcha fallback for signatures the offline table does not know."
  type        = bool
  default     = true
}

variable "gemini_location" {
  description = "Vertex AI location of the captcha fallback (HOADON_GEMINI_LOCATION)."
  type        = string
  default     = "us-central1"
}

variable "gemini_model" {
  description = "Model of the captcha fallback (HOADON_GEMINI_MODEL)."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "log_level" {
  description = "HOADON_LOG_LEVEL: debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "api_invokers" {
  description = "IAM members allowed to call the task API with a Google ID token, e.g. [\"user:ops@example.com\", \"serviceAccount:erp@p.iam.gserviceaccount.com\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.api_invokers : can(regex("^(user|serviceAccount|group|domain):", m))])
    error_message = "api_invokers entries must start with user:, serviceAccount:, group: or domain: (allUsers is refused: the API must be authenticated)."
  }
}

variable "api_keys_enabled" {
  description = "Let callers with an API key (created with `hoadon apikey create`) reach the task API: the api service gets an allUsers run.invoker binding and the server itself requires a valid API key or an ID token of an api_invokers account. False: Cloud Run IAM admits only api_invokers."
  type        = bool
  default     = true
}

variable "eventsink_enabled" {
  description = "Deploy the event sink (a verifying consumer of hoadon's events) and deliver every event to it as well."
  type        = bool
  default     = true
}

variable "public_without_allusers" {
  description = "Open the public services (api with api_keys_enabled, eventsink with eventsink_public) with Cloud Run's invoker_iam_disabled instead of an allUsers run.invoker binding, for organisations whose policy (iam.allowedPolicyMemberDomains) refuses allUsers. The services still check API keys, ID tokens and signatures themselves."
  type        = bool
  default     = false
}

variable "eventsink_public" {
  description = "Let anyone reach the event sink without an ID token (it verifies RFC 9421 signatures itself, and the deliver function sends no ID token). Organisation policies restricting allUsers may refuse this."
  type        = bool
  default     = true
}

variable "sink_max_age" {
  description = "Oldest acceptable signature age at the sink (HOADON_SINK_MAX_AGE, Go duration)."
  type        = string
  default     = "5m"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.sink_max_age))
    error_message = "sink_max_age must look like 90s, 5m or 1h."
  }
}

variable "internal_ingress" {
  description = "Ingress of the functions Workflows calls (login, discover, status, finalize, fail). Workflows reaches INGRESS_TRAFFIC_INTERNAL_ONLY services of the same project (Workflows documentation); IAM (OIDC + run.invoker) applies either way."
  type        = string
  default     = "INGRESS_TRAFFIC_INTERNAL_ONLY"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_ALL"], var.internal_ingress)
    error_message = "internal_ingress must be INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_ALL."
  }
}

variable "queue_target_ingress" {
  description = "Ingress of the functions Cloud Tasks and Cloud Scheduler call (download, deliver, schedtick). Default ALL because whether their requests count as internal was not verified here; the services still refuse callers without an OIDC token of the tasks/scheduler account. Try INGRESS_TRAFFIC_INTERNAL_ONLY with a test import."
  type        = string
  default     = "INGRESS_TRAFFIC_ALL"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_ALL"], var.queue_target_ingress)
    error_message = "queue_target_ingress must be INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_ALL."
  }
}

variable "max_instances" {
  description = "Upper bound of Cloud Run instances per function (a cost cap); download gets twice this."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000
    error_message = "max_instances must be 1..1000."
  }
}

variable "schedtick_enabled" {
  description = "Deploy the schedtick function and its Cloud Scheduler job (every 5 minutes), which starts the daily imports of the schedules created through /api/schedules."
  type        = bool
  default     = true
}

variable "schedtick_schedule" {
  description = "Cron schedule of the schedtick job."
  type        = string
  default     = "*/5 * * * *"
}

variable "workflow_call_log_level" {
  description = "Workflows call logging: LOG_ERRORS_ONLY keeps step arguments out of Cloud Logging."
  type        = string
  default     = "LOG_ERRORS_ONLY"

  validation {
    condition     = contains(["LOG_NONE", "LOG_ERRORS_ONLY", "LOG_ALL_CALLS"], var.workflow_call_log_level)
    error_message = "workflow_call_log_level must be LOG_NONE, LOG_ERRORS_ONLY or LOG_ALL_CALLS."
  }
}

# --- hybrid mode -----------------------------------------------------------

variable "burst_threshold" {
  description = "Hybrid mode: pending downloads across running imports above which new download tasks go to the serverless download service (HOADON_BURST_THRESHOLD); they return to the VM below half of it."
  type        = number
  default     = 200

  validation {
    condition     = var.burst_threshold >= 2
    error_message = "burst_threshold must be at least 2."
  }
}

variable "vm_domain" {
  description = "Hybrid mode: DNS name (e.g. hoadon.example.com) whose A record you point at the load balancer address output; a Google-managed certificate is issued for it. Workflows and Cloud Tasks need https to send OIDC tokens."
  type        = string
  default     = ""
}

variable "vm_zone" {
  description = "Hybrid mode: zone of the VM (in region)."
  type        = string
  default     = "asia-southeast1-b"
}

variable "vm_machine_type" {
  description = "Hybrid mode: machine type of the VM. e2-small (2 shared vCPU, 2 GB) is enough for a few companies at 4 downloads each."
  type        = string
  default     = "e2-small"
}

variable "vm_network" {
  description = "Hybrid mode: VPC network of the VM."
  type        = string
  default     = "default"
}

variable "vm_spot" {
  description = "Hybrid mode: run the VM as Spot (cheaper, may be preempted; Cloud Tasks and Workflows retry)."
  type        = bool
  default     = false
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) the alert policies of monitoring.tf notify; empty: incidents show in the console only."
  type        = list(string)
  default     = []
}
