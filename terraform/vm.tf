# Hybrid mode: one Compute Engine VM runs cmd/server (every function at
# /<name>, the API at /api/, /health) from the same image, started by
# cloud-init on Container-Optimized OS (not the deprecated
# gce-container-declaration metadata). lb.tf puts HTTPS in front of it:
# Workflows and Cloud Tasks send OIDC tokens to https URLs only.

locals {
  vm_enabled = local.hybrid && var.deploy_workloads
  vm_tag     = "${var.name_prefix}-server"

  # Health checkers and the external Application Load Balancer's proxies
  # connect from these ranges; IAP TCP forwarding (SSH) from the last one.
  health_check_ranges = ["130.211.0.0/22", "35.191.0.0/16"]
  iap_ranges          = ["35.235.240.0/20"]

  vm_env = merge(local.pipeline_env, {
    PORT = "8080"
  })
}

resource "google_compute_instance" "server" {
  count = local.vm_enabled ? 1 : 0

  project                   = var.project_id
  name                      = "${var.name_prefix}-server"
  zone                      = var.vm_zone
  machine_type              = var.vm_machine_type
  tags                      = [local.vm_tag]
  labels                    = local.labels
  allow_stopping_for_update = true

  boot_disk {
    initialize_params {
      image = "cos-cloud/cos-stable"
      size  = 20
      type  = "pd-balanced"
    }
  }

  network_interface {
    network = var.vm_network
    # An ephemeral public address for egress to the portal and Google APIs.
    # Ingress is still limited by the firewall rules below.
    access_config {}
  }

  service_account {
    email  = google_service_account.functions.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  scheduling {
    provisioning_model          = var.vm_spot ? "SPOT" : "STANDARD"
    preemptible                 = var.vm_spot
    automatic_restart           = !var.vm_spot
    instance_termination_action = var.vm_spot ? "STOP" : null
  }

  metadata = {
    "user-data" = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
      env_file          = join("\n", [for k, v in local.vm_env : "${k}=${v}"])
      image             = local.image
      registry          = "${var.region}-docker.pkg.dev"
      project           = var.project_id
      encryption_secret = google_secret_manager_secret.secret["encryption-key"].secret_id
      signing_secret    = google_secret_manager_secret.secret["signing-key"].secret_id
      sink_secret       = google_secret_manager_secret.secret["sink-keys"].secret_id
      trusted_ca_secret = google_secret_manager_secret.secret["trusted-ca"].secret_id
    })
    "google-logging-enabled"    = "true"
    "google-monitoring-enabled" = "true"
    "enable-oslogin"            = "TRUE"
  }

  lifecycle {
    precondition {
      condition     = var.vm_domain != ""
      error_message = "mode = \"hybrid\" needs vm_domain: Workflows and Cloud Tasks reach the VM over https at that name."
    }
  }

  depends_on = [
    google_project_service.api, # compute.googleapis.com
    google_secret_manager_secret_iam_member.functions,
    google_artifact_registry_repository_iam_member.functions_pull,
    google_project_iam_member.functions,
  ]
}

resource "google_compute_health_check" "server" {
  count = local.vm_enabled ? 1 : 0

  project             = var.project_id
  name                = "${var.name_prefix}-server-health"
  check_interval_sec  = 10
  timeout_sec         = 5
  healthy_threshold   = 2
  unhealthy_threshold = 3

  http_health_check {
    port         = 8080
    request_path = "/health"
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}

# Health checks and load-balancer traffic to the server port, nothing else.
resource "google_compute_firewall" "server_health" {
  count = local.vm_enabled ? 1 : 0

  project       = var.project_id
  name          = "${var.name_prefix}-allow-health-lb"
  network       = var.vm_network
  direction     = "INGRESS"
  source_ranges = local.health_check_ranges
  target_tags   = [local.vm_tag]

  allow {
    protocol = "tcp"
    ports    = ["8080"]
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}

# SSH only through IAP TCP forwarding (gcloud compute ssh --tunnel-through-iap).
resource "google_compute_firewall" "server_iap_ssh" {
  count = local.vm_enabled ? 1 : 0

  project       = var.project_id
  name          = "${var.name_prefix}-allow-iap-ssh"
  network       = var.vm_network
  direction     = "INGRESS"
  source_ranges = local.iap_ranges
  target_tags   = [local.vm_tag]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  depends_on = [google_project_service.api] # compute.googleapis.com
}
