"""Moving content in and out as files: exchange bundles (``bundles``), the seed content
loader (``seed``) and translation files for agencies (``translations``), all writing through
the domain's services. Bundles and the seed share the shape of their content (``sections``)
and the one writer that puts it into the database (``writer``)."""
