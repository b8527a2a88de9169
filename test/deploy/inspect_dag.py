"""Reads the Airflow DAG file with Python's ast (Airflow itself is not installed) and prints, as JSON,
what the tests check: the DAG's settings, the pod task's image, command, environment, secrets,
retries, and the exit codes the operator retries. Module-level constants are resolved by name."""

import ast
import json
import sys


def main(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass

    def value(node):
        """A literal, a constant's value, `A if FLAG else B`, str(X), timedelta(...) in seconds; other
        calls as {"call": name, **keywords}; attributes as their dotted text."""
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        if isinstance(node, ast.IfExp):
            return value(node.body) if value(node.test) else value(node.orelse)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "str" and len(node.args) == 1:
                return str(value(node.args[0]))
            if node.func.id == "timedelta":
                units = {"seconds": 1, "minutes": 60, "hours": 3600}
                return sum(units[k.arg] * value(k.value) for k in node.keywords)
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.List):
            return [value(e) for e in node.elts]
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            return {"call": name, **{k.arg: value(k.value) for k in node.keywords}}
        if isinstance(node, ast.Attribute):
            return ast.unparse(node)
        return ast.literal_eval(node)

    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]

    def keywords_of(name):
        found = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == name]
        if len(found) != 1:
            raise SystemExit(f"expected one call of {name}, found {len(found)}")
        return {k.arg: value(k.value) for k in found[0].keywords}

    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    operator = classes.get("SyncPodOperator")
    bases = [b.id for b in operator.bases] if operator else []
    cleanup = [f for f in (operator.body if operator else []) if isinstance(f, ast.FunctionDef)]
    raises_fail = any(
        isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call) and getattr(n.exc.func, "id", "") == "AirflowFailException"
        for f in cleanup
        for n in ast.walk(f)
    )

    dag = keywords_of("DAG")
    task = keywords_of("SyncPodOperator")
    print(
        json.dumps(
            {
                "dag": dag,
                "task": task,
                "operatorBases": bases,
                "operatorMethods": [f.name for f in cleanup],
                "raisesFailWithoutRetry": raises_fail,
                "retryableExitCodes": sorted(constants.get("RETRYABLE_EXIT_CODES", [])),
                "exitMeanings": {str(k): v for k, v in constants.get("EXIT_MEANINGS", {}).items()},
                "constants": {k: v for k, v in constants.items() if k.isupper() and not isinstance(v, (set, dict))},
            },
            default=list,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
