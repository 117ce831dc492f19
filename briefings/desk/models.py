"""The desk keeps no data of its own (it reads the other apps; the audit log is
Django's LogEntry). This module exists so that Django sends the desk its
post_migrate signal, after every other app's (it is last in INSTALLED_APPS):
the roles are synced then, with every app's permissions in place."""
