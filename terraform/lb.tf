# Hybrid mode: HTTPS in front of the VM (global external Application Load
# Balancer, Google-managed certificate for vm_domain). The certificate turns
# ACTIVE only after vm_domain's A record points at the address output.

resource "google_compute_instance_group" "server" {
  count = local.vm_enabled ? 1 : 0

  project   = var.project_id
  name      = "${var.name_prefix}-server"
  zone      = var.vm_zone
  instances = [google_compute_instance.server[0].self_link]

  named_port {
    name = "http"
    port = 8080
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_backend_service" "server" {
  count = local.vm_enabled ? 1 : 0

  project               = var.project_id
  name                  = "${var.name_prefix}-server"
  protocol              = "HTTP"
  port_name             = "http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  timeout_sec           = 1800 # the workflow's longest call (discover)
  health_checks         = [google_compute_health_check.server[0].id]

  backend {
    group           = google_compute_instance_group.server[0].id
    balancing_mode  = "UTILIZATION"
    capacity_scaler = 1
  }

  log_config {
    enable      = true
    sample_rate = 0.1
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_url_map" "server" {
  count = local.vm_enabled ? 1 : 0

  project         = var.project_id
  name            = "${var.name_prefix}-server"
  default_service = google_compute_backend_service.server[0].id

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_managed_ssl_certificate" "server" {
  count = local.vm_enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-server"

  managed {
    domains = [var.vm_domain]
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_target_https_proxy" "server" {
  count = local.vm_enabled ? 1 : 0

  project          = var.project_id
  name             = "${var.name_prefix}-server"
  url_map          = google_compute_url_map.server[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.server[0].id]

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_global_address" "server" {
  count = local.vm_enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-server"

  depends_on = [google_project_service.api] # compute.googleapis.com
}

resource "google_compute_global_forwarding_rule" "server" {
  count = local.vm_enabled ? 1 : 0

  project               = var.project_id
  name                  = "${var.name_prefix}-server-https"
  target                = google_compute_target_https_proxy.server[0].id
  ip_address            = google_compute_global_address.server[0].id
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"

  depends_on = [google_project_service.api] # compute.googleapis.com
}
