# One Cloud Run service per function, all from the same image; FUNCTION_TARGET
# picks the handler (functions-framework-go serves that one function on every
# path). In hybrid mode only the services marked hybrid exist here.

module "functions" {
  source   = "./modules/function"
  for_each = local.run_functions

  project_id      = var.project_id
  region          = var.region
  service_name    = local.service_name[each.key]
  function_target = each.key
  image           = local.image
  service_account = each.value.pipeline ? google_service_account.functions.email : google_service_account.eventsink.email
  ingress         = !each.value.internal ? "INGRESS_TRAFFIC_ALL" : contains(each.value.callers, "workflows") ? var.internal_ingress : var.queue_target_ingress
  invokers        = local.invokers[each.key]
  # Public without an allUsers binding (var.public_without_allusers).
  invoker_iam_disabled = local.invoker_iam_disabled[each.key]
  timeout_seconds      = each.value.timeout
  memory               = each.value.memory
  max_instances        = each.key == "download" ? 2 * var.max_instances : var.max_instances

  env          = each.value.pipeline ? merge(local.pipeline_env, local.run_trust_env) : local.sink_env
  secret_files = each.value.pipeline ? local.run_trust_files : {}
  secret_env = each.value.pipeline ? merge(
    local.pipeline_secret_env,
    each.key == "deliver" ? local.deliver_secret_env : {},
  ) : local.sink_secret_env

  deletion_protection = var.deletion_protection
  labels              = local.labels

  # The runtime must be able to read its secrets before the first revision starts.
  depends_on = [
    google_secret_manager_secret_iam_member.functions,
    google_secret_manager_secret_iam_member.eventsink,
    google_project_iam_member.functions,
    google_project_iam_member.eventsink,
  ]
}
