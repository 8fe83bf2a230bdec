# The second apply in serverless mode: one Cloud Run service per function.
# Plans only: the google provider is configured with a placeholder token and
# never called (the one data source is overridden), so no project is needed.
provider "google" {
  project      = "hoadon-plan"
  region       = "asia-southeast1"
  access_token = "plan-only"
}

override_data {
  target = data.google_project.this
  values = {
    number = "123456789012"
  }
}

variables {
  project_id       = "hoadon-plan"
  deploy_workloads = true
}

run "serverless" {
  command = plan

  assert {
    condition     = length(module.functions) == 10
    error_message = "Every function, schedtick and eventsink included, is a Cloud Run service."
  }

  assert {
    condition     = alltrue([for f in ["login", "discover", "status", "finalize", "fail"] : module.functions[f].ingress == "INGRESS_TRAFFIC_INTERNAL_ONLY"])
    error_message = "The functions Workflows calls accept internal traffic only."
  }

  assert {
    condition     = module.functions["api"].ingress == "INGRESS_TRAFFIC_ALL" && module.functions["download"].ingress == "INGRESS_TRAFFIC_ALL"
    error_message = "The API is public; download (Cloud Tasks) takes queue_target_ingress, ALL by default."
  }

  assert {
    condition     = module.functions["login"].invokers == { workflows = "serviceAccount:hoadon-workflows@hoadon-plan.iam.gserviceaccount.com" }
    error_message = "Only the workflows account may invoke login."
  }

  assert {
    condition     = module.functions["download"].invokers == { tasks = "serviceAccount:hoadon-tasks@hoadon-plan.iam.gserviceaccount.com" }
    error_message = "Only the tasks account may invoke download."
  }

  assert {
    condition     = module.functions["api"].invokers["public"] == "allUsers" && !module.functions["api"].invoker_iam_disabled
    error_message = "With API keys on, the API is open to allUsers and checks keys itself."
  }

  assert {
    condition     = contains(split(",", module.functions["download"].env["HOADON_INTERNAL_AUDIENCES"]), "https://hoadon-download-123456789012.asia-southeast1.run.app")
    error_message = "The download service accepts tokens minted for its own URL."
  }

  assert {
    condition     = module.functions["deliver"].env["HOADON_API_AUDIENCE"] == "https://hoadon-api-123456789012.asia-southeast1.run.app"
    error_message = "The API audience is the api service's URL."
  }
}

# Organisations refusing allUsers: the public services are opened by
# disabling the invoker check instead of a binding.
run "without_allusers" {
  command = plan

  variables {
    public_without_allusers = true
  }

  assert {
    condition     = module.functions["api"].invoker_iam_disabled && module.functions["eventsink"].invoker_iam_disabled && !contains(keys(module.functions["api"].invokers), "public") && !contains(keys(module.functions["eventsink"].invokers), "public")
    error_message = "public_without_allusers must replace every allUsers binding with invoker_iam_disabled."
  }

  assert {
    condition     = !module.functions["login"].invoker_iam_disabled
    error_message = "Internal functions keep the invoker check."
  }
}

# A trust store for invoice signatures: the pipeline services mount the
# trusted-ca secret as the file HOADON_TRUSTED_CA_FILE names; off (the
# default), nothing is mounted and chains are reported not_checked.
run "trusted_ca" {
  command = plan

  variables {
    trusted_ca = true
  }

  assert {
    condition     = module.functions["download"].env["HOADON_TRUSTED_CA_FILE"] == "/secrets/trust/ca.pem" && module.functions["download"].secret_files["/secrets/trust/ca.pem"] == "hoadon-trusted-ca"
    error_message = "download must mount the trusted-ca secret at the file HOADON_TRUSTED_CA_FILE names."
  }

  assert {
    condition     = length(module.functions["eventsink"].secret_files) == 0 && !contains(keys(module.functions["eventsink"].env), "HOADON_TRUSTED_CA_FILE")
    error_message = "The event sink verifies no invoices: no trust store."
  }
}

run "no_trusted_ca" {
  command = plan

  assert {
    condition     = length(module.functions["download"].secret_files) == 0 && !contains(keys(module.functions["download"].env), "HOADON_TRUSTED_CA_FILE")
    error_message = "Without trusted_ca nothing is mounted (a secret without a version would fail every read)."
  }
}
