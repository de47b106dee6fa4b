# The jangteo binary in a small image: `docker build -t jangteo .` (docker-compose.yml does it).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin jangteo

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/jangteo /usr/local/bin/jangteo
ENV JANGTEO_LISTEN=0.0.0.0:8080 JANGTEO_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["jangteo"]
CMD ["serve"]
