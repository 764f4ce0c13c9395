"""The Docker side of the tests: ``docker_env.sh`` (engine, base image, build) and a Python harness over it."""
