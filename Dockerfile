# syntax=docker/dockerfile:1
#
# This repository's images (README "The worker image"):
#   worker (default)  what the restore and sync Jobs run: `npm run restore`, `npm run sync`
#   drill             what k8s/cronjob/quarterly-drill.yaml runs: the drill, with the Pulumi CLI
#
#   docker build --target worker -t <ecr>/lomash-wood/recovery-stacks:<version> .
#   docker build --target drill  -t <ecr>/lomash-wood/recovery-stacks:drill-<version> .
#
# Every base is pinned by version; the build arguments below exist so a machine without a
# registry can pass local stand-ins with the same layout (tests/image does, with podman).

# Node.js 22 LTS on Debian bookworm. A stand-in must have node and npm under /usr/local, as here.
ARG NODE_IMAGE=docker.io/library/node:22.23.5-bookworm-slim
# The official Pulumi image for Node 22 (pulumi/pulumi-nodejs itself is on another Node major),
# tagged with the Pulumi release that matches @pulumi/pulumi in package.json.
ARG PULUMI_IMAGE=docker.io/pulumi/pulumi-nodejs-22:3.248.0

# The drill image: the whole program, run by `node --require tsx/cjs scripts/drill.ts` through
# the Automation API, which spawns the pinned `pulumi` CLI of the base image.
FROM ${PULUMI_IMAGE} AS drill
# Resource plugins pinned to package.json's providers and installed now, so a drill never
# downloads a plugin of whatever version is newest (tests/image/dockerfile.test.ts checks them).
ARG PULUMI_PLUGINS="aws 7.48.0, kubernetes 4.34.2, random 4.21.2"
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
RUN groupadd --gid 10001 recovery \
 && useradd --uid 10001 --gid recovery --home-dir /home/recovery --create-home --shell /usr/sbin/nologin recovery
WORKDIR /app
COPY package.json package-lock.json ./
# See the worker stage for the optional npm-ca secret.
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi \
 && npm ci --omit=dev --ignore-scripts \
 && rm -rf /root/.npm
COPY . .
RUN mkdir -p reports/drills && chown recovery:recovery reports/drills
USER 10001
ENV HOME=/home/recovery
RUN IFS=','; for plugin in $PULUMI_PLUGINS; do IFS=' '; set -- $plugin; pulumi plugin install resource "$1" "$2"; done

# The worker image: Node 22, the PostgreSQL client tools, Redis's tools, the RDS CA bundle, production
# dependencies only, a non-root user. Last in the file, so it is the default target.
FROM ${NODE_IMAGE} AS worker
# Every PostgreSQL major the inventory's databases run (Pulumi.prod.yaml engineVersion; a test
# fails when this default misses one). pg_restore must be at least as new as the pg_dump that
# wrote the dump, and pg_dump at least as new as the server it dumps.
ARG PG_MAJORS="15"
# Where the client packages come from: `pgdg` (apt.postgresql.org, every supported major, set up
# by postgresql-common's own script and key) or `debian` (bookworm's own: postgresql-client-15 only).
ARG PG_APT=pgdg
ENV DEBIAN_FRONTEND=noninteractive \
    NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    NODE_ENV=production

# The newest major's tools go first on PATH: they read every older dump and serve every older
# server, and Debian's pg_wrapper would guess a version from local clusters this image never has.
# Redis (bookworm's 7.0): redis-cli for backup:redis (`--rdb`) and verify's cache checks,
# redis-check-rdb, and redis-server, which backup:redis starts on the RDB it took to count its keys
# (workers/redis-key-counts.ts). Nothing starts it as a service in the image.
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates; \
    case "$PG_APT" in \
      pgdg) apt-get install -y --no-install-recommends postgresql-common; \
            /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y ;; \
      debian) ;; \
      *) echo "PG_APT must be pgdg or debian (got $PG_APT)" >&2; exit 2 ;; \
    esac; \
    packages=""; for major in $PG_MAJORS; do packages="$packages postgresql-client-$major"; done; \
    apt-get install -y --no-install-recommends $packages redis-tools redis-server; \
    newest=$(printf '%s\n' $PG_MAJORS | sort -n | tail -n 1); \
    for tool in pg_dump pg_dumpall pg_restore psql; do ln -s "/usr/lib/postgresql/$newest/bin/$tool" /usr/local/bin/$tool; done; \
    apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin; \
    groupadd --gid 10001 recovery; \
    useradd --uid 10001 --gid recovery --home-dir /home/recovery --create-home --shell /usr/sbin/nologin recovery

WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly the lockfile's. A builder behind a TLS-inspecting proxy
# passes its CA as the build secret `npm-ca`; it exists for this step only and never lands in a layer.
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi \
 && npm ci --omit=dev --ignore-scripts \
 && rm -rf /root/.npm
# Owned by root, read-only to the worker: the Job cannot change the code it runs.
COPY . .
# Each data-plane command as one bundled file (components/worker-command.ts): a Job starts in a
# third of the CPU time `npm run` through tsx takes.
RUN npm run build:workers

# Amazon RDS's CA bundle for every region, for libpq's sslrootcert (verify-full). Any URL the
# builder can read; installed at /etc/ssl/certs/rds-global-bundle.pem. These arguments come last:
# an argument's value is part of the cache key of every RUN after it, so a new bundle URL or a
# new commit rebuilds only these layers.
ARG RDS_CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
ADD ${RDS_CA_URL} /etc/ssl/certs/rds-global-bundle.pem
RUN chmod 0644 /etc/ssl/certs/rds-global-bundle.pem \
 && grep -q -- "-----BEGIN CERTIFICATE-----" /etc/ssl/certs/rds-global-bundle.pem

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="recovery-stacks worker" \
      org.opencontainers.image.source="https://github.com/lomash-wood/recovery-stacks" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
USER 10001
ENV HOME=/home/recovery
CMD ["npm", "run", "restore", "--", "--help"]
