"""fieldapp: offline-first field data collection for rural fiber rollouts."""

from flask import Flask

from fieldapp import config
from fieldapp import strict_json


def create_app(test_config=None):
    """Build the app: config, storage, languages, security headers, blueprints."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.json = strict_json.StrictJSONProvider(app)
    config.load(app, test_config)
    _register(app)
    return app


def _register(app):
    """Wire extensions and blueprints; one list, so the whole app shows here."""
    from fieldapp import admin
    from fieldapp import auth
    from fieldapp import blob_views
    from fieldapp import bundle
    from fieldapp import compression
    from fieldapp import db
    from fieldapp import demo
    from fieldapp import i18n
    from fieldapp import ids
    from fieldapp import job_views
    from fieldapp import job_worker
    from fieldapp import label_views
    from fieldapp import photo_views
    from fieldapp import progress_views
    from fieldapp import replica_cli
    from fieldapp import review
    from fieldapp import review_loop
    from fieldapp import security
    from fieldapp import signature_views
    from fieldapp import sites
    from fieldapp import speedtest
    from fieldapp import sync_api
    from fieldapp import technician
    from fieldapp import trace_views
    from fieldapp import users_admin
    from fieldapp import vendor
    from fieldapp import vocabulary

    ids.init_app(app)  # before the blueprints: their routes use <id:...>
    db.init_app(app)
    demo.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    bundle.init_app(app)
    i18n.init_app(app)
    vocabulary.init_app(app)
    for module in (auth, technician, sites, vendor, bundle, i18n, review, review_loop, speedtest,
                   sync_api, photo_views, admin, label_views, job_views, users_admin, progress_views,
                   blob_views, replica_cli, trace_views, job_worker, signature_views):
        app.register_blueprint(module.bp)
    auth.init_app(app)
    sites.init_app(app)
