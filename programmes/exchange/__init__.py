"""Moving content in and out as files: exchange bundles (``bundles``) and the seed content
loader (``seed``), both writing through the domain's services."""
