locals {
  # One Cloud Function per folder in functions/. `public` functions sit behind the load balancer
  # (path rules below mirror shared/switchboard/devtools/server.py ROUTES); `tasks` is private:
  # only the task queue's service account may invoke it.
  functions = {
    chat             = { memory = "512M", timeout = 120, public = true, paths = ["/api/agent/*"], enqueues = false, secrets = ["GEMINI_API_KEY"] }
    escalation       = { memory = "256M", timeout = 60, public = true, paths = ["/api/agent-failure", "/api/agent-failure/*"], enqueues = true, secrets = ["FRESHDESK_API_KEY", "TEAMS_WEBHOOK_URL", "CHATWOOT_API_TOKEN"] }
    admin            = { memory = "1G", timeout = 120, public = true, paths = ["/api/v1/*", "/api/support/*"], enqueues = true, secrets = ["GEMINI_API_KEY", "CHATWOOT_PLATFORM_TOKEN"] }
    feedback         = { memory = "256M", timeout = 30, public = true, paths = ["/api/feedback", "/api/feedback/*"], enqueues = false, secrets = [] }
    health           = { memory = "256M", timeout = 30, public = true, paths = ["/api/health", "/api/health/*", "/api/openapi.json"], enqueues = false, secrets = ["GEMINI_API_KEY", "FRESHDESK_API_KEY", "CHATWOOT_API_TOKEN"] }
    kommo_webhook    = { memory = "256M", timeout = 30, public = true, paths = ["/api/kommo/*"], enqueues = true, secrets = ["KOMMO_CLIENT_SECRET", "KOMMO_WEBHOOK_SECRET"] }
    chatwoot_webhook = { memory = "256M", timeout = 30, public = true, paths = ["/api/webhooks/chatwoot", "/api/webhooks/chatwoot/*"], enqueues = false, secrets = ["CHATWOOT_WEBHOOK_SECRET"] }
    chatwoot_bot     = { memory = "256M", timeout = 30, public = true, paths = ["/api/chatwoot/*"], enqueues = true, secrets = ["CHATWOOT_BOT_SECRET", "VERIFY_JWT_SECRET"] }
    console          = { memory = "256M", timeout = 30, public = true, paths = ["/console", "/console/*", "/widget/*"], enqueues = false, secrets = [] }
    analytics        = { memory = "512M", timeout = 540, public = false, paths = [], enqueues = false, secrets = [] }
    tasks            = { memory = "512M", timeout = 300, public = false, paths = [], enqueues = true, secrets = ["GEMINI_API_KEY", "FRESHDESK_API_KEY", "SMTP_PASSWORD", "TEAMS_WEBHOOK_URL", "CHATWOOT_API_TOKEN", "KOMMO_ACCESS_TOKEN", "CHATWOOT_BOT_TOKEN", "VERIFY_JWT_SECRET"] }
  }
  public_functions = { for name, f in local.functions : name => f if f.public }
  queue            = "switchboard-tasks"
  # The private functions' URLs, which are also the audiences of the OIDC tokens sent to them
  # (the functions check the audience themselves; Cloud Run accepts this URL as one).
  tasks_url     = "https://${var.region}-${var.project}.cloudfunctions.net/tasks"
  analytics_url = "https://${var.region}-${var.project}.cloudfunctions.net/analytics"
  ttl_groups    = ["conversations", "messages", "rate_limits", "claims", "webhook_deliveries", "dead_letters"]
  secret_ids    = { for name in var.secrets : name => lower(replace(name, "_", "-")) }
  # Each function reads only its own secrets (those of var.secrets it lists).
  function_secrets = merge([
    for fn, f in local.functions : { for name in f.secrets : "${fn}/${name}" => { fn = fn, name = name } if contains(var.secrets, name) }
  ]...)
  enqueuers = { for name, f in local.functions : name => f if f.enqueues }
  base_env = merge({
    GOOGLE_CLOUD_PROJECT  = var.project
    SWITCHBOARD_ENV       = "production"
    LOG_LEVEL             = "INFO"
    GEMINI_MODEL          = var.gemini_model
    EMBEDDING_DIMENSIONS  = tostring(var.embedding_dimensions)
    ALLOW_ANONYMOUS       = tostring(var.allow_anonymous)
    CORS_ALLOWED_ORIGINS  = var.cors_allowed_origins
    TASKS_QUEUE           = local.queue
    TASKS_LOCATION        = var.region
    TASKS_TARGET_URL      = local.tasks_url
    ANALYTICS_AUDIENCE    = local.analytics_url
    PUBLIC_BASE_URL       = "https://${var.domain}"
    TASKS_SERVICE_ACCOUNT = google_service_account.tasks_invoker.email
  }, var.environment)
}

resource "google_project_service" "apis" {
  for_each = toset([
    "cloudfunctions.googleapis.com", "run.googleapis.com", "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com", "firestore.googleapis.com", "cloudtasks.googleapis.com",
    "cloudscheduler.googleapis.com", "secretmanager.googleapis.com", "compute.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

# --- Firestore -------------------------------------------------------------------------------

resource "google_firestore_database" "default" {
  count       = var.create_firestore_database ? 1 : 0
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  depends_on  = [google_project_service.apis]
}

resource "google_firestore_field" "ttl" {
  for_each   = toset(local.ttl_groups)
  collection = each.value
  field      = "expires_at"
  ttl_config {}
  # TTL fields need no index; exempting them avoids hotspots on the timestamp.
  index_config {}
  depends_on = [google_firestore_database.default]
}

# --- Identities ------------------------------------------------------------------------------

# One service account per function: each holds only the roles and secrets its code uses.
resource "google_service_account" "fn" {
  for_each     = local.functions
  account_id   = "sb-${replace(each.key, "_", "-")}"
  display_name = "Switchboard function ${each.key}"
}

resource "google_service_account" "tasks_invoker" {
  account_id   = "switchboard-tasks"
  display_name = "Switchboard task queue and scheduler (invokes the private tasks function)"
}

resource "google_project_iam_member" "fn_datastore" {
  for_each = local.functions
  project  = var.project
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_project_iam_member" "fn_logs" {
  for_each = local.functions
  project  = var.project
  role     = "roles/logging.logWriter"
  member   = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Only the functions that schedule deferred work may enqueue tasks ...
resource "google_project_iam_member" "fn_enqueue" {
  for_each = local.enqueuers
  project  = var.project
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# ... and act as the invoker account whose OIDC token the tasks carry.
resource "google_service_account_iam_member" "fn_act_as_invoker" {
  for_each           = local.enqueuers
  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# --- Secrets ---------------------------------------------------------------------------------

resource "google_secret_manager_secret" "secrets" {
  for_each  = local.secret_ids
  secret_id = each.value
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "fn" {
  for_each  = local.function_secrets
  secret_id = google_secret_manager_secret.secrets[each.value.name].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.fn].email}"
}

# --- Source (make build stages build/<fn>/) --------------------------------------------------

resource "google_storage_bucket" "source_logs" {
  #checkov:skip=CKV_GCP_62:This bucket receives the source bucket's access logs; logging it to itself would loop.
  name                        = "${var.project}-switchboard-source-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      age = 365
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project}-switchboard-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  logging {
    log_bucket = google_storage_bucket.source_logs.name
  }
}

data "archive_file" "source" {
  for_each    = local.functions
  type        = "zip"
  source_dir  = "${var.build_dir}/${each.key}"
  output_path = "${path.module}/.zips/${each.key}.zip"
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions
  # The hash in the name makes a changed source redeploy the function.
  name   = "${each.key}-${data.archive_file.source[each.key].output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source[each.key].output_path
}

# --- Functions -------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions
  name     = replace(each.key, "_", "-")
  location = var.region

  build_config {
    runtime     = "python312"
    entry_point = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout
    min_instance_count               = lookup(var.min_instances, each.key, 0)
    max_instance_count               = 50
    max_instance_request_concurrency = 1
    service_account_email            = google_service_account.fn[each.key].email
    # Public functions only behind the load balancer; tasks only from Cloud Tasks and Scheduler
    # (which Cloud Run counts as internal in the same project).
    ingress_settings      = each.value.public ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_INTERNAL_ONLY"
    environment_variables = local.base_env

    dynamic "secret_environment_variables" {
      for_each = { for name in each.value.secrets : name => local.secret_ids[name] if contains(var.secrets, name) }
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }
  depends_on = [google_project_service.apis, google_secret_manager_secret_iam_member.fn]
}

# Gen2 invoker IAM lives on the Cloud Run service (not google_cloudfunctions2_function_iam_*).
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = local.public_functions
  name     = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "tasks_invoker" {
  for_each = toset(["tasks", "analytics"])
  name     = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks_invoker.email}"
}

# --- Deferred work ---------------------------------------------------------------------------

resource "google_cloud_tasks_queue" "tasks" {
  name     = local.queue
  location = var.region
  retry_config {
    max_attempts  = 8
    min_backoff   = "5s"
    max_backoff   = "600s"
    max_doublings = 6
  }
  rate_limits {
    max_dispatches_per_second = 20
    max_concurrent_dispatches = 20
  }
  depends_on = [google_project_service.apis]
}

# Re-enqueue pending work that has not moved for 2 minutes (docs/escalation.md, "Nothing is lost").
resource "google_cloud_scheduler_job" "sweep" {
  name     = "switchboard-sweep"
  region   = var.region
  schedule = "*/5 * * * *"
  http_target {
    http_method = "POST"
    uri         = "${local.tasks_url}/tasks/sweep"
    body        = base64encode("{\"min_age_seconds\": 120}")
    headers     = { "Content-Type" = "application/json" }
    oidc_token {
      service_account_email = google_service_account.tasks_invoker.email
      audience              = local.tasks_url # what the tasks function checks (TASKS_TARGET_URL)
    }
  }
  depends_on = [google_project_service.apis, google_cloudfunctions2_function.fn]
}

# The daily rollups and idle sessions (docs/analytics.md): yesterday, and the day before made final.
resource "google_cloud_scheduler_job" "analytics" {
  name             = "switchboard-analytics"
  region           = var.region
  schedule         = "0 1 * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "540s"
  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
  }
  http_target {
    http_method = "POST"
    uri         = "${local.analytics_url}/analytics/run"
    body        = base64encode("{}")
    headers     = { "Content-Type" = "application/json" }
    oidc_token {
      service_account_email = google_service_account.tasks_invoker.email
      audience              = local.analytics_url # ANALYTICS_AUDIENCE
    }
  }
  depends_on = [google_project_service.apis, google_cloudfunctions2_function.fn]
}

# Listing sessions filters on owner or channel and orders by last activity; the daily job finds
# idle sessions by `inactive` and `updated_at`. Single-field queries need no declaration.
resource "google_firestore_index" "conversations" {
  for_each = {
    by_owner         = ["owner", "updated_at"]
    by_channel       = ["channel", "updated_at"]
    by_owner_channel = ["owner", "channel", "updated_at"]
    idle             = ["inactive", "updated_at"]
  }
  project    = var.project
  database   = "(default)"
  collection = "conversations"
  dynamic "fields" {
    for_each = each.value
    content {
      field_path = fields.value
      order      = fields.value == "updated_at" && each.key != "idle" ? "DESCENDING" : "ASCENDING"
    }
  }
  depends_on = [google_firestore_database.default]
}

# Dense retrieval over large knowledge bases: Firestore's vector search (find_nearest, cosine)
# over every tenant's kb_chunks. A flat index searches exhaustively, so it finds exactly the
# neighbours an in-memory scan would. Its dimension must match the embeddings (EMBEDDING_DIMENSIONS).
resource "google_firestore_index" "kb_chunks_vector" {
  project    = var.project
  database   = "(default)"
  collection = "kb_chunks"
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
  fields {
    field_path = "embedding"
    vector_config {
      dimension = var.embedding_dimensions
      flat {}
    }
  }
  depends_on = [google_firestore_database.default]
}

# --- One base URL ----------------------------------------------------------------------------

resource "google_compute_region_network_endpoint_group" "neg" {
  for_each              = local.public_functions
  name                  = "switchboard-${replace(each.key, "_", "-")}"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_function {
    function = google_cloudfunctions2_function.fn[each.key].name
  }
}

# Optional per-client rate limiting in front of every public path (var.rate_limit_per_minute > 0).
resource "google_compute_security_policy" "api" {
  count = var.rate_limit_per_minute > 0 ? 1 : 0
  name  = "switchboard"
  rule {
    action   = "throttle"
    priority = 1000
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit_per_minute
        interval_sec = 60
      }
    }
  }
  rule {
    action   = "deny(403)"
    priority = 900
    match {
      expr {
        expression = "evaluatePreconfiguredExpr('cve-canary')"
      }
    }
    description = "Log4j lookups (CVE-2021-44228, CVE-2021-45046)"
  }
  rule {
    action   = "allow"
    priority = 2147483647
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_backend_service" "fn" {
  for_each              = local.public_functions
  name                  = "switchboard-${replace(each.key, "_", "-")}"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = var.rate_limit_per_minute > 0 ? google_compute_security_policy.api[0].id : null
  backend {
    group = google_compute_region_network_endpoint_group.neg[each.key].id
  }
}

resource "google_compute_url_map" "api" {
  name            = "switchboard"
  default_service = google_compute_backend_service.fn["health"].id
  host_rule {
    hosts        = [var.domain]
    path_matcher = "api"
  }
  path_matcher {
    name            = "api"
    default_service = google_compute_backend_service.fn["health"].id
    dynamic "path_rule" {
      for_each = local.public_functions
      content {
        paths   = path_rule.value.paths
        service = google_compute_backend_service.fn[path_rule.key].id
      }
    }
  }
}

resource "google_compute_managed_ssl_certificate" "api" {
  name = "switchboard"
  managed {
    domains = [var.domain]
  }
}

resource "google_compute_ssl_policy" "api" {
  name            = "switchboard"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "api" {
  name             = "switchboard"
  url_map          = google_compute_url_map.api.id
  ssl_certificates = [google_compute_managed_ssl_certificate.api.id]
  ssl_policy       = google_compute_ssl_policy.api.id
}

resource "google_compute_global_address" "api" {
  name = "switchboard"
}

resource "google_compute_global_forwarding_rule" "api" {
  name                  = "switchboard"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  target                = google_compute_target_https_proxy.api.id
  ip_address            = google_compute_global_address.api.address
  port_range            = "443"
}
