"""Every write of field data collection: publishing forms and their media
(`publishing`), receiving submissions over OpenRosa (`submissions`), and resolving the
quarantine (`quarantine`)."""
