"""The status view model, pure: banner, incident lifecycle, uptime, what each page lists."""
