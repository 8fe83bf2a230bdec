# The second apply in hybrid mode: the VM serves every function, the Cloud Run
# download service takes bursts.
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
  mode             = "hybrid"
  vm_domain        = "hoadon.example.com"
}

run "hybrid" {
  command = plan

  assert {
    condition     = keys(module.functions) == ["download", "eventsink"]
    error_message = "In hybrid mode only download (bursts) and eventsink are Cloud Run services."
  }

  assert {
    condition     = contains(split(",", module.functions["download"].env["HOADON_INTERNAL_AUDIENCES"]), "https://hoadon-download-123456789012.asia-southeast1.run.app")
    error_message = "Burst download tasks carry the download service's run.app URL as audience: it must be accepted."
  }

  assert {
    condition     = module.functions["download"].env["HOADON_BURST_DOWNLOAD_URL"] == "https://hoadon-download-123456789012.asia-southeast1.run.app" && module.functions["download"].env["HOADON_FUNCTIONS_URL"] == "https://hoadon.example.com"
    error_message = "Hybrid: functions on the VM, bursts to the download service."
  }

  assert {
    condition     = strcontains(google_compute_instance.server[0].metadata["user-data"], "https://hoadon-download-123456789012.asia-southeast1.run.app")
    error_message = "The VM accepts the burst audience too."
  }

  assert {
    condition     = google_compute_firewall.server_health[0].source_ranges == toset(["130.211.0.0/22", "35.191.0.0/16"])
    error_message = "Port 8080 only from the load balancer and health checks."
  }

  assert {
    condition     = google_compute_backend_service.server[0].load_balancing_scheme == "EXTERNAL_MANAGED"
    error_message = "HTTPS load balancer in front of the VM."
  }
}

run "hybrid_needs_domain" {
  command = plan

  variables {
    vm_domain = ""
  }

  expect_failures = [google_compute_instance.server]
}
