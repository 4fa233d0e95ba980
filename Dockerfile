FROM python:3.12-slim-bookworm
# WeasyPrint's libraries and fonts for the PDF deliverable.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
    && DJANGO_ENV=production DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
