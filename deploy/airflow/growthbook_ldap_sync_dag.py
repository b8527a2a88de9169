"""growthbook-ldap-sync as an Airflow task.

Runs the same container image as the Kubernetes CronJob (deploy/kubernetes) every 30 minutes with
KubernetesPodOperator, one run at a time, no catch-up. Needs apache-airflow >= 2.4 and
apache-airflow-providers-cncf-kubernetes >= 7.

Failures, by the tool's exit code:
  4 (a source could not be read) and 6 (run deadline reached) are usually passing trouble: retried
  once, five minutes later. Every other failure fails the task at once and alerts, without a retry:
  2 (circuit breaker tripped) needs a person to read the plan, and a retry would trip again;
  1, 3, 5 and 7 need a person too. See docs/RUNBOOK.md.

The namespace needs the Secret `growthbook-ldap-sync` (key growthbook-api-key) and the ConfigMaps
`growthbook-ldap-sync-config` (key config.yaml) and `growthbook-ldap-sync-ldap-ca` (key ca.crt).
"""

from datetime import datetime, timedelta, timezone

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

IMAGE = "docker-registry.wikimedia.org/repos/data-engineering/growthbook-ldap-sync:0.1.0"
NAMESPACE = "growthbook-ldap-sync"
ALERT_EMAILS = ["growthbook-admins@example.org"]  # who is told when a run fails for good

# The first week runs plan only (nothing written, metrics published); then set DRY_RUN = False.
DRY_RUN = True
DRY_RUN_ARGUMENTS = ["plan", "--publish-metrics", "--output", "json"]
APPLY_ARGUMENTS = ["apply", "--output", "json"]

# The tool stops itself cleanly (exit 6) at SYNC_DEADLINE_SECONDS; Airflow stops the task later.
SYNC_DEADLINE_SECONDS = 780
EXECUTION_TIMEOUT_SECONDS = 900

# Exit codes worth one retry; any other non-zero code fails the task without a retry.
RETRYABLE_EXIT_CODES = {4, 6}
EXIT_MEANINGS = {
    1: "unexpected internal error",
    2: "circuit breaker tripped, nothing written: read the plan before --override-threshold",
    3: "configuration or usage error",
    4: "a source could not be read, nothing written",
    5: "apply incomplete or verification failed",
    6: "run deadline reached",
    7: "another run holds the lock",
}


def container_exit_code(remote_pod):
    """The sync container's exit code, or None when the pod never got that far."""
    statuses = getattr(getattr(remote_pod, "status", None), "container_statuses", None) or []
    for status in statuses:
        terminated = getattr(getattr(status, "state", None), "terminated", None)
        if status.name == "base" and terminated is not None:
            return terminated.exit_code
    return None


class SyncPodOperator(KubernetesPodOperator):
    """KubernetesPodOperator that decides from the exit code whether a failure is retried."""

    def cleanup(self, pod, remote_pod):
        try:
            return super().cleanup(pod, remote_pod)
        except AirflowException as error:
            code = container_exit_code(remote_pod)
            if code in RETRYABLE_EXIT_CODES or code is None:
                raise
            meaning = EXIT_MEANINGS.get(code, "unknown exit code")
            # AirflowFailException fails the task without using the remaining retries.
            raise AirflowFailException(f"growthbook-ldap-sync exited {code}: {meaning}") from error


with DAG(
    dag_id="growthbook_ldap_sync",
    description="GrowthBook project roles from LDAP groups and puppet data.yaml POSIX groups",
    schedule="*/30 * * * *",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=25),
    default_args={
        "owner": "growthbook-admins",
        "email": ALERT_EMAILS,
        "email_on_failure": True,
        "email_on_retry": False,
    },
    tags=["growthbook", "access-control"],
) as dag:
    SyncPodOperator(
        task_id="sync",
        name="growthbook-ldap-sync",
        namespace=NAMESPACE,
        image=IMAGE,
        arguments=DRY_RUN_ARGUMENTS if DRY_RUN else APPLY_ARGUMENTS,
        env_vars={
            "GBSYNC_CONFIG": "/etc/growthbook-ldap-sync/config.yaml",
            "SYNC_DEADLINE_SECONDS": str(SYNC_DEADLINE_SECONDS),
            "LDAP_CA_CERT_PATH": "/etc/growthbook-ldap-sync/ldap-ca/ca.crt",
        },
        secrets=[
            Secret(
                deploy_type="env",
                deploy_target="GROWTHBOOK_LDAP_SYNC_API_KEY",
                secret="growthbook-ldap-sync",
                key="growthbook-api-key",
            ),
        ],
        volumes=[
            k8s.V1Volume(
                name="config",
                config_map=k8s.V1ConfigMapVolumeSource(name="growthbook-ldap-sync-config"),
            ),
            k8s.V1Volume(
                name="ldap-ca",
                config_map=k8s.V1ConfigMapVolumeSource(name="growthbook-ldap-sync-ldap-ca"),
            ),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(
                name="config",
                mount_path="/etc/growthbook-ldap-sync/config.yaml",
                sub_path="config.yaml",
                read_only=True,
            ),
            k8s.V1VolumeMount(
                name="ldap-ca", mount_path="/etc/growthbook-ldap-sync/ldap-ca", read_only=True
            ),
        ],
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=65532,
            run_as_group=65532,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        container_security_context=k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            privileged=False,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "100m", "memory": "128Mi"},
            limits={"cpu": "1", "memory": "512Mi"},
        ),
        automount_service_account_token=False,
        retries=1,
        retry_delay=timedelta(minutes=5),
        execution_timeout=timedelta(seconds=EXECUTION_TIMEOUT_SECONDS),
        get_logs=True,
        on_finish_action="delete_pod",
    )
