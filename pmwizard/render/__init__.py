"""Renderers for the service files a Planetmint node needs: Monit, Tarantool, NGINX, the Planetmint config.

Each module turns checked values into one file's text; `plans.services_plan` bundles them into a Plan.
"""
