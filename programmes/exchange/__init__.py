"""Moving content in and out as files: exchange bundles (``bundles``), the seed content
loader (``seed``) and translation files for agencies (``translations``), all writing through
the domain's services."""
