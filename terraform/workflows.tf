# Every workflow in workflows-yaml/ is deployed, loaded with file() (which
# does not interpolate the workflows' own ${...} expressions). The functions'
# URLs reach the YAML as user environment variables (sys.get_env).

locals {
  workflows_dir = "${path.module}/../workflows-yaml"
  workflow_name = "invoice_import" # HOADON_WORKFLOW: the workflow the api starts

  workflow_env = merge({
    HOADON_DISCOVERY_CONCURRENCY = tostring(var.discovery_concurrency)
    HOADON_MAX_WAIT_SECONDS      = tostring(var.max_wait_seconds)
    HOADON_POLL_MAX_SECONDS      = tostring(var.poll_max_seconds)
    }, local.hybrid ? {
    HOADON_FUNCTIONS_URL = local.vm_url
    } : {
    HOADON_LOGIN_URL    = local.fn_url["login"]
    HOADON_DISCOVER_URL = local.fn_url["discover"]
    HOADON_STATUS_URL   = local.fn_url["status"]
    HOADON_FINALIZE_URL = local.fn_url["finalize"]
    HOADON_FAIL_URL     = local.fn_url["fail"]
  })
}

resource "google_workflows_workflow" "workflow" {
  for_each = var.deploy_workloads ? fileset(local.workflows_dir, "*.yaml") : toset([])

  project                 = var.project_id
  name                    = trimsuffix(each.value, ".yaml")
  region                  = var.region
  description             = "hoadon ${trimsuffix(each.value, ".yaml")} (workflows-yaml/${each.value})"
  service_account         = google_service_account.workflows.id
  source_contents         = file("${local.workflows_dir}/${each.value}")
  user_env_vars           = local.workflow_env
  call_log_level          = var.workflow_call_log_level
  execution_history_level = "EXECUTION_HISTORY_BASIC"
  deletion_protection     = var.deletion_protection
  labels                  = local.labels

  # The services (and their invoker bindings) exist before an execution can call them.
  depends_on = [module.functions, google_project_iam_member.workflows_logs]
}
