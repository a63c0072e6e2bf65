#!/usr/bin/env python
"""Synthesize the stack of the environment named by CDKTF_FARGATE_ENV (default: prod), or with
CDKTF_FARGATE_ENV=bootstrap the account's bootstrap stack (`make bootstrap`)."""

import os

import cdktf_fargate  # noqa: F401  (first: it sets up the fast provider import)

from cdktf import App

from stacks import BootstrapStack, WebServiceStack, load_bootstrap, load_environment
from stacks.environments import BOOTSTRAP_TABLE, ENV_VAR, serving_bootstrap

app = App()
if os.environ.get(ENV_VAR) == BOOTSTRAP_TABLE:
    bootstrap, environments = load_bootstrap()
    # scripts/bootstrap.py sets it for the first run and for destroy, when the bucket cannot hold the state.
    in_bucket = os.environ.get("CDKTF_FARGATE_BOOTSTRAP_STATE") != "local"
    BootstrapStack(app, bootstrap.stack_name, config=bootstrap, environments=environments, state_in_bucket=in_bucket)
else:
    config = load_environment()
    WebServiceStack(app, config.stack_name, config=config, bootstrap=serving_bootstrap(config))
app.synth()
