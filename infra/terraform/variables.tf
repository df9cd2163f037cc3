variable "project" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  default     = "europe-west1"
  description = "Region of the functions, the task queue and the scheduler."
}

variable "firestore_location" {
  type        = string
  default     = "eur3"
  description = "Location of the Firestore database (created when create_firestore_database is true)."
}

variable "create_firestore_database" {
  type        = bool
  default     = true
  description = "Create the (default) Firestore database in native mode."
}

variable "domain" {
  type        = string
  description = "Domain of the one public base URL (a managed certificate is issued for it)."
}

variable "build_dir" {
  type        = string
  default     = "../../build"
  description = "Where `make build` staged build/<function>/."
}

variable "allow_anonymous" {
  type        = bool
  default     = false
  description = "Serve keyless CRM requests as DEFAULT_TENANT (the CRM widget's contract sends no credentials)."
}

variable "cors_allowed_origins" {
  type        = string
  default     = ""
  description = "Browser origins allowed to call the API (comma list, or *)."
}

variable "gemini_model" {
  type    = string
  default = "gemini-3.6-flash"
}

variable "environment" {
  type        = map(string)
  default     = {}
  description = "Extra non-secret environment variables for every function (FRESHDESK_DOMAIN, EMAIL_TRANSPORT, KOMMO_ACCOUNT_ID, ...)."
}

variable "secrets" {
  type = list(string)
  default = [
    "GEMINI_API_KEY",
    "FRESHDESK_API_KEY",
    "SMTP_PASSWORD",
    "TEAMS_WEBHOOK_URL",
    "CHATWOOT_API_TOKEN",
    "CHATWOOT_WEBHOOK_SECRET",
    "KOMMO_CLIENT_SECRET",
    "KOMMO_ACCESS_TOKEN",
    "KOMMO_WEBHOOK_SECRET",
    "CHATWOOT_BOT_TOKEN",
    "CHATWOOT_BOT_SECRET",
    "VERIFY_JWT_SECRET",
    "CHATWOOT_PLATFORM_TOKEN",
  ]
  description = "Secret Manager secrets (named like the variable, lower-case with dashes) exposed as environment variables. Add their versions out of band."
}

variable "rate_limit_per_minute" {
  type        = number
  default     = 0
  description = "Requests per minute per client IP that Cloud Armor lets through to the public paths (0: no Cloud Armor policy)."
}

variable "embedding_dimensions" {
  description = "Dimensions of the Gemini embeddings (8-2048; Firestore's vector index is built for exactly this many)."
  type        = number
  default     = 768
  validation {
    condition     = var.embedding_dimensions >= 8 && var.embedding_dimensions <= 2048
    error_message = "embedding_dimensions must be between 8 and 2048 (Firestore vector search allows at most 2048)."
  }
}

variable "min_instances" {
  description = "Instances kept warm per function (for example { chat = 1 }); every function scales to zero by default. A cold chat instance answers its first question in about a second, even for a 20,000-article knowledge base (docs/BENCHMARKS.md, Scale)."
  type        = map(number)
  default     = {}
}
