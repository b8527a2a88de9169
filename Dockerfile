# growthbook-ldap-sync container image.
#
#   podman build -t growthbook-ldap-sync .            (or docker build)
#   podman build --build-arg BASE_IMAGE=<image> .     any Debian-based image with Node.js >= 20.19 and npm
#
# Two stages: the build stage installs every dependency and compiles TypeScript; the final stage gets
# the production dependencies, dist/, bin/ and demo/ only, runs as a numeric non-root user and
# carries no npm, compiler or package cache.
ARG BASE_IMAGE=docker.io/library/node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
# LDAPS is verified against the system CA bundle; slim Node images ship none, so fetch Debian's here
# and copy the one file into the final stage (a base image that already has it is used as it is).
RUN if [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then \
      apt-get update -q \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` compiles dist/ through the prepare script; then drop the dev dependencies.
RUN npm ci --no-audit --no-fund \
    && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
# The package manager and its helpers are build tools: the running image needs only node.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /root/.npm
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY demo ./demo
# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd entry.
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/growthbook-ldap-sync"]
CMD ["plan"]
