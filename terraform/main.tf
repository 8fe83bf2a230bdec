# hoadon on Google Cloud: the shared facts every other file uses. Each
# function is described once in local.functions; run.tf turns the entries into
# Cloud Run services, iam.tf into invoker bindings, vm.tf into the hybrid VM's
# environment.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  serverless = var.mode == "serverless"
  hybrid     = var.mode == "hybrid"

  image       = var.image != "" ? var.image : "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/server:${var.image_tag}"
  bucket_name = var.bucket_name != "" ? var.bucket_name : "${var.project_id}-${var.name_prefix}"

  # Every function of functions/all (plus schedtick, arriving later).
  #   callers:  who calls it with an OIDC token (keys of local.caller_members)
  #   internal: called only by the project's Workflows/Tasks/Scheduler (no
  #             public invoker; ingress per internal_ingress/queue_target_ingress)
  #   pipeline: reads the HOADON_* pipeline configuration (the sink does not)
  #   hybrid:   also a Cloud Run service in hybrid mode (the VM serves the rest)
  #   timeout:  request timeout; discover matches the workflow's 1800 s call
  #             timeout, download exceeds the 2 min task dispatch deadline
  functions = {
    api       = { callers = [], internal = false, pipeline = true, hybrid = false, timeout = 60, memory = "512Mi" }
    login     = { callers = ["workflows"], internal = true, pipeline = true, hybrid = false, timeout = 300, memory = "512Mi" }
    discover  = { callers = ["workflows"], internal = true, pipeline = true, hybrid = false, timeout = 1800, memory = "1Gi" }
    status    = { callers = ["workflows"], internal = true, pipeline = true, hybrid = false, timeout = 60, memory = "512Mi" }
    finalize  = { callers = ["workflows"], internal = true, pipeline = true, hybrid = false, timeout = 600, memory = "1Gi" }
    fail      = { callers = ["workflows"], internal = true, pipeline = true, hybrid = false, timeout = 60, memory = "512Mi" }
    download  = { callers = ["tasks"], internal = true, pipeline = true, hybrid = true, timeout = 300, memory = "512Mi" }
    deliver   = { callers = ["tasks"], internal = true, pipeline = true, hybrid = false, timeout = 60, memory = "256Mi" }
    eventsink = { callers = [], internal = false, pipeline = false, hybrid = true, timeout = 60, memory = "256Mi" }
    schedtick = { callers = ["scheduler"], internal = true, pipeline = true, hybrid = false, timeout = 300, memory = "256Mi" }
  }

  # Functions deployed as Cloud Run services in this mode.
  enabled_functions = {
    for name, f in local.functions : name => f
    if(name != "schedtick" || var.schedtick_enabled) && (name != "eventsink" || var.eventsink_enabled)
  }
  run_functions = {
    for name, f in local.enabled_functions : name => f
    if var.deploy_workloads && (local.serverless || f.hybrid)
  }

  # Service name and deterministic run.app URL of every function. The URL is
  # known before the service exists, which lets services name each other
  # without a dependency cycle.
  service_name = { for name in keys(local.functions) : name => "${var.name_prefix}-${name}" }
  run_url      = { for name in keys(local.functions) : name => "https://${local.service_name[name]}-${data.google_project.this.number}.${var.region}.run.app" }

  # Where the pipeline reaches each function: its own service, or the VM.
  vm_url = "https://${var.vm_domain}"
  fn_url = { for name in keys(local.functions) : name => local.hybrid ? "${local.vm_url}/${name}" : local.run_url[name] }

  # Events go to the configured subscribers and, when deployed, to our own sink.
  webhook_urls = concat(var.webhook_urls, var.eventsink_enabled ? [local.run_url["eventsink"]] : [])

  # Configuration of every pipeline process (declared settings: shared/config.Settings).
  pipeline_env = merge({
    HOADON_PROJECT               = var.project_id
    HOADON_LOCATION              = var.region
    HOADON_BUCKET                = local.bucket_name
    HOADON_GDT_BASE_URL          = var.gdt_base_url
    HOADON_GDT_PROXY             = var.gdt_proxy
    HOADON_GDT_REQUIRE_TTXLY     = tostring(var.gdt_require_ttxly)
    HOADON_WORKFLOW              = local.workflow_name
    HOADON_DOWNLOAD_URL          = local.fn_url["download"]
    HOADON_DELIVER_URL           = local.fn_url["deliver"]
    HOADON_TASKS_SERVICE_ACCOUNT = google_service_account.tasks.email
    HOADON_WEBHOOK_URLS          = join(",", local.webhook_urls)
    HOADON_SIGNING_KEY_ID        = var.signing_key_id
    HOADON_SIGNING_ALG           = var.signing_alg
    HOADON_COMPANY_CONCURRENCY   = tostring(var.company_concurrency)
    HOADON_DISCOVERY_CONCURRENCY = tostring(var.discovery_concurrency)
    HOADON_COMPANY_RATE          = tostring(var.company_rate)
    HOADON_COMPANY_MAX_RATE      = tostring(var.company_max_rate)
    HOADON_GEMINI_PROJECT        = var.gemini_enabled ? var.project_id : ""
    HOADON_GEMINI_LOCATION       = var.gemini_location
    HOADON_GEMINI_MODEL          = var.gemini_model
    HOADON_LOCAL                 = "false"
    HOADON_LOG_LEVEL             = var.log_level
    HOADON_METRICS_EXPORT        = "cloud" # shared/metrics to Cloud Monitoring; monitoring.tf alerts on them
    # Authentication (shared/auth): internal functions take only these
    # accounts' Google ID tokens, minted for one of the functions' URLs; the
    # API takes an API key or an ID token of an api_principals account.
    HOADON_AUTH                = "required"
    HOADON_OIDC_ISSUER         = "https://accounts.google.com"
    HOADON_INTERNAL_PRINCIPALS = join(",", [google_service_account.workflows.email, google_service_account.tasks.email, google_service_account.scheduler.email])
    # In hybrid mode burst download tasks carry the Cloud Run download
    # service's own URL as audience (shared/queue), so it is listed too.
    HOADON_INTERNAL_AUDIENCES = join(",", distinct(concat(values(local.fn_url), [local.vm_url], local.hybrid ? [local.run_url["download"]] : [])))
    HOADON_API_PRINCIPALS     = join(",", [for m in var.api_invokers : split(":", m)[1] if can(regex("^(user|serviceAccount):", m))])
    HOADON_API_AUDIENCE       = local.hybrid ? local.vm_url : local.run_url["api"]
    }, local.hybrid ? {
    # The VM serves every function; HOADON_BURST_DOWNLOAD_URL is the serverless
    # download service that takes new download tasks while more than
    # burst_threshold downloads are pending, until the backlog halves.
    HOADON_FUNCTIONS_URL      = local.vm_url
    HOADON_BURST_DOWNLOAD_URL = local.run_url["download"]
    HOADON_BURST_THRESHOLD    = tostring(var.burst_threshold)
  } : {})

  # Secrets as environment variables: name => secret id.
  pipeline_secret_env = {
    HOADON_ENCRYPTION_KEY = google_secret_manager_secret.secret["encryption-key"].secret_id
  }
  deliver_secret_env = {
    HOADON_SIGNING_KEY = google_secret_manager_secret.secret["signing-key"].secret_id
  }

  # The trust store of invoice signatures as a file (var.trusted_ca): on
  # Cloud Run a mounted secret; the hybrid VM's boot script fetches it.
  trusted_ca_file = "/secrets/trust/ca.pem"
  run_trust_env   = var.trusted_ca ? { HOADON_TRUSTED_CA_FILE = local.trusted_ca_file } : {}
  run_trust_files = var.trusted_ca ? { (local.trusted_ca_file) = google_secret_manager_secret.secret["trusted-ca"].secret_id } : {}

  # The event sink reads its own variables (shared/sink) and the project.
  sink_env = {
    HOADON_PROJECT                    = var.project_id
    HOADON_SINK_MAX_AGE               = var.sink_max_age
    HOADON_SINK_TRUST_FORWARDED_PROTO = "true"
  }
  sink_secret_env = {
    HOADON_SINK_KEYS = google_secret_manager_secret.secret["sink-keys"].secret_id
  }

  labels = { app = "hoadon", mode = var.mode }
}
