.PHONY: run test lint bench-provisioning
run:
	python3 dev.py up
test:
	python3 dev.py test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy ciam tenants directory insights applications branding userflows admincenter api && .venv/bin/python manage.py makemigrations --check --dry-run
bench-provisioning:
	python3 dev.py bench provisioning
