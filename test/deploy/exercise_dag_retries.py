"""Loads the DAG file with minimal stand-ins for the airflow and kubernetes packages (neither can be
installed here) and runs SyncPodOperator.cleanup for a failed pod with each exit code. Prints, as
JSON, which exception each code ends in: AirflowFailException (no retry) or AirflowException (retry).
The stand-ins only record; the decision under test is the DAG file's own code."""

import json
import sys
import types


class AirflowException(Exception):
    pass


class AirflowFailException(AirflowException):
    pass


class KubernetesPodOperator:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def cleanup(self, pod, remote_pod):
        # What the provider does for a pod that did not succeed.
        raise AirflowException("Pod returned a failure")


class DAG:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Anything:
    def __init__(self, *args, **kwargs):
        self.__dict__.update(kwargs)


def module(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod
    return mod


module("airflow", DAG=DAG)
module("airflow.exceptions", AirflowException=AirflowException, AirflowFailException=AirflowFailException)
module("airflow.providers")
module("airflow.providers.cncf")
module("airflow.providers.cncf.kubernetes")
module("airflow.providers.cncf.kubernetes.operators")
module("airflow.providers.cncf.kubernetes.operators.pod", KubernetesPodOperator=KubernetesPodOperator)
module("airflow.providers.cncf.kubernetes.secret", Secret=Anything)
models = types.SimpleNamespace(
    **{n: Anything for n in ["V1Volume", "V1ConfigMapVolumeSource", "V1VolumeMount", "V1PodSecurityContext",
                             "V1SeccompProfile", "V1SecurityContext", "V1Capabilities", "V1ResourceRequirements"]}
)
module("kubernetes")
module("kubernetes.client", models=models)

namespace = {"__name__": "growthbook_ldap_sync_dag"}
exec(compile(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1], "exec"), namespace)
operator = namespace["SyncPodOperator"]()


def pod_exiting(code):
    terminated = types.SimpleNamespace(exit_code=code)
    status = types.SimpleNamespace(name="base", state=types.SimpleNamespace(terminated=terminated))
    return types.SimpleNamespace(status=types.SimpleNamespace(container_statuses=[status]))


outcome = {}
for code in [1, 2, 3, 4, 5, 6, 7, None]:
    remote = pod_exiting(code) if code is not None else types.SimpleNamespace(status=None)
    try:
        operator.cleanup(None, remote)
        outcome[str(code)] = {"raised": None}
    except AirflowFailException as error:
        outcome[str(code)] = {"raised": "AirflowFailException", "message": str(error)}
    except AirflowException as error:
        outcome[str(code)] = {"raised": "AirflowException", "message": str(error)}
print(json.dumps(outcome))
