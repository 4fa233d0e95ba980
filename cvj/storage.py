"""Static files in production: hashed, compressed, and hashed inside ES module imports too."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`import { fields } from "./autosave.js"` is rewritten to the hashed file, like url() in
    CSS: after a deploy a page never pairs a new entry module with a cached older one."""

    support_js_module_import_aggregation = True
