# The Firestore database (Native mode) holding the import facts, with the
# composite indexes the queries of shared/ need and a TTL policy that deletes
# expired replay nonces of the event sink.
#
# Every query is declared in shared/store/queries.go; go test ./terraform/
# derives the composite indexes they need (fields, order, scope) and fails
# unless this file declares exactly those.

resource "google_firestore_database" "main" {
  project                 = var.project_id
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy         = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.api]
}

# A tenant's imports, newest first (GET /api/tasks).
resource "google_firestore_index" "imports_by_tenant" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "imports"
  query_scope = "COLLECTION"

  fields {
    field_path = "tenant"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "DESCENDING"
  }
}

# A tenant's imports of a company, newest first (GET /api/tasks?company_id=...).
resource "google_firestore_index" "imports_by_company" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "imports"
  query_scope = "COLLECTION"

  fields {
    field_path = "tenant"
    order      = "ASCENDING"
  }
  fields {
    field_path = "params.company_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "DESCENDING"
  }
}

# Invoices of one import stuck in a status since before a time (the
# lost-task sweep queries imports/{id}/invoices: collection scope).
resource "google_firestore_index" "invoices_by_status" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "invoices"
  query_scope = "COLLECTION"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }
}

# Undelivered outbox events older than a time, oldest first.
resource "google_firestore_index" "outbox_pending" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "outbox"
  query_scope = "COLLECTION"

  fields {
    field_path = "done"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
}

# Events of one import in order.
resource "google_firestore_index" "outbox_by_import" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "outbox"
  query_scope = "COLLECTION"

  fields {
    field_path = "import_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
}

# replay/{sha256(key)}.expires_at: Firestore deletes nonces once expired
# (typically within 24 h of expiry; the sink treats expired ones as absent).
resource "google_firestore_field" "replay_ttl" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = "replay"
  field      = "expires_at"

  ttl_config {}

  # Single-field indexes on a TTL timestamp slow deletes and are not queried.
  index_config {}
}

# A company-month's catalogue entries neither stored nor unavailable, for a
# flagged completeness cell (tenants/*/companies/*/invoices; Store.Unsettled).
resource "google_firestore_index" "catalogue_unsettled" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "invoices"
  query_scope = "COLLECTION"

  fields {
    field_path = "month"
    order      = "ASCENDING"
  }
  fields {
    field_path = "flow"
    order      = "ASCENDING"
  }
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
}

# An export's selection: a tenant's catalogue of one company
# (tenants/*/companies/*/invoices) in one direction from a date on, by date
# (Store.CataloguePeriod).
resource "google_firestore_index" "catalogue_period" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = "invoices"
  query_scope = "COLLECTION"

  fields {
    field_path = "direction"
    order      = "ASCENDING"
  }
  fields {
    field_path = "date"
    order      = "ASCENDING"
  }
}
