output "base_url" {
  value       = "https://${var.domain}"
  description = "The one public base URL (point the domain's A record at ip_address)."
}

output "ip_address" {
  value = google_compute_global_address.api.address
}

output "function_uris" {
  value = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}
