#!/usr/bin/env python3
"""Checks recorded Zuora HTTP exchanges against Zuora's published API, as the official SDK models it.

The `zuora-sdk` package (PyPI; generated from Zuora's OpenAPI spec, see docs/zuora.md §8) ships one
pydantic model per request and response and, per operation, its HTTP method, path, parameters and a response
model per status. This script maps each recorded (method, path) to the SDK operation, then validates with
pydantic's own validation switched on (`model_validate` / `TypeAdapter.validate_python`, never `construct()`):
  - the request: path, query and Zuora header parameters against the operation's parameter types, the body
    against its request model; query parameters the operation does not declare are errors;
  - the response: the body against the model the spec gives for that status;
  - both: fields a model does not declare are errors (pydantic ignores them, so a renamed field would pass),
    except custom fields (`*__c`, `*__NS`), which Zuora carries as additional properties: those are listed.
Operations the SDK does not have are listed as "not in the spec", never passed silently.

Usage: zuora_contract.py --sdk <dir with zuora_sdk> <exchanges.json>   (prints a JSON report; exit 1 on errors)
Exchange: {method, path, query: {k: v}, requestHeaders: {k: v}, requestBody, status, responseBody}; bodies are
parsed JSON (a form body as an object), or null.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import sys
import types
import typing
from pathlib import Path

# Headers Zuora defines; others (Accept, Content-Type, User-Agent …) are HTTP plumbing the spec does not model.
ZUORA_HEADERS = {'zuora-track-id', 'zuora-entity-ids', 'idempotency-key', 'zuora-version', 'zuora-org-ids'}
# The spec states this rule in the header's description, not as a pattern, so the models cannot enforce it.
TRACK_ID_FORBIDDEN = re.compile(r'[:;"\'\x00-\x1f\x7f-\uffff]')
CUSTOM_FIELD = re.compile(r'__(c|NS)$')
# Zuora's general guides document 429 for every operation (rate-limits guide); most operations' spec entries do
# not list it. Such answers are checked against the generic REST error model and reported as such.
UNLISTED_STATUS_MODEL = 'CommonResponse'
# Where the SDK models contradict Zuora's own documentation: (model, field) → why the documentation wins. Each is
# reported under "knownSpecConflicts", never silently dropped.
KNOWN_SPEC_CONFLICTS = {
    ('DataQueryJob', 'id'): 'the model wants exactly 64 characters, yet get_data_query_job takes a 36-character '
    'UUID job-id: the SDK contradicts itself; job ids are UUIDs (docs/zuora.md §8)',
    ('CreditMemoResponse', 'objectIndex'): "the API reference's bulk update example gives a failed item its "
    'objectIndex (docs/zuora.md §3); the model lacks the field',
}


def stub_packages(sdk_dir: Path) -> None:
    """Import single SDK modules without the package __init__ files, which import all 1,700 models (~20 s)."""
    root = sdk_dir / 'zuora_sdk'
    for name, where in (('zuora_sdk', root), ('zuora_sdk.models', root / 'models'), ('zuora_sdk.api', root / 'api')):
        module = types.ModuleType(name)
        module.__path__ = [str(where)]
        sys.modules[name] = module
    # The API modules import the HTTP machinery only for their method bodies; the signatures need none of it.
    plumbing = {
        'zuora_sdk.api_client': {'ApiClient': object, 'RequestSerialized': typing.Any},
        'zuora_sdk.api_response': {'ApiResponse': typing.List},
        'zuora_sdk.rest': {'RESTResponseType': typing.Any},
    }
    for name, attrs in plumbing.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
    sys.path.insert(0, str(sdk_dir))


class Sdk:
    def __init__(self, sdk_dir: Path):
        self.dir = sdk_dir / 'zuora_sdk'
        stub_packages(sdk_dir)
        init = (self.dir / 'models' / '__init__.py').read_text()
        self.model_modules = dict(
            (cls, mod) for mod, cls in re.findall(r'^from zuora_sdk\.models\.(\w+) import (\w+)$', init, re.M)
        )
        self.ops: dict[tuple[str, str], list[dict]] = {}
        self.api_sources = {p: p.read_text() for p in sorted((self.dir / 'api').glob('*_api.py'))}
        metadata = next(sdk_dir.glob('zuora_sdk-*.dist-info/METADATA'), None)
        self.version = re.search(r'^Version: (\S+)', metadata.read_text() if metadata else '', re.M)
        self.spec_version = re.search(r'The version of the OpenAPI document: (\S+)', init)

    def model(self, name: str):
        return validating(getattr(importlib.import_module(f'zuora_sdk.models.{self.model_modules[name]}'), name))

    def operations_for(self, method: str, path: str) -> list[dict]:
        """SDK operations whose method and path template match, the most literal template first."""
        found = []
        for file, source in self.api_sources.items():
            for template in set(re.findall(r"resource_path='([^']+)'", source)):
                pattern = '^' + re.sub(r'\\\{[^}]+\\\}', '[^/]+', re.escape(template)) + '$'
                if re.match(pattern, path):
                    found.extend(op for op in self.parse_ops(file, template) if op['method'] == method)
        return sorted(found, key=lambda op: op['template'].count('{'))

    def parse_ops(self, file: Path, template: str) -> list[dict]:
        key = (str(file), template)
        if key in self.ops:
            return self.ops[key]
        tree = ast.parse(self.api_sources[file])
        ops = []
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            funcs = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
            for name, func in funcs.items():
                if not (name.startswith('_') and name.endswith('_serialize')):
                    continue
                op = describe_serializer(func)
                if op.get('template') != template:
                    continue
                op.update(name=name[1:-len('_serialize')], api=cls.name, module=file.stem)
                op['responses'] = response_types(funcs[op['name']])
                ops.append(op)
        self.ops[key] = ops
        return ops

    def signature(self, op: dict) -> dict[str, typing.Any]:
        module = importlib.import_module(f"zuora_sdk.api.{op['module']}")
        func = getattr(getattr(module, op['api']), op['name'])
        func = getattr(func, '__wrapped__', func)  # validate_call wraps it
        hints = typing.get_type_hints(func, include_extras=True)
        for annotation in hints.values():
            for model in models_in(annotation):
                validating(model)
        return hints


_VALIDATING: set[type] = set()


def validating(model: type) -> type:
    """Switches pydantic validation back on for an SDK model and every model nested in it.

    The generated models override __init__ to call construct() ("avoid validation"); pydantic then calls that
    __init__ even from model_validate, so nothing would be checked. Clearing the custom-init flag and rebuilding the
    schema (nested models first) makes model_validate validate, as pydantic does for any plain model.
    """
    if model in _VALIDATING:
        return model
    _VALIDATING.add(model)
    for field in model.model_fields.values():
        for inner in models_in(field.annotation):
            validating(inner)
    model.__pydantic_custom_init__ = False
    model.model_rebuild(force=True)
    return model


def describe_serializer(func: ast.FunctionDef) -> dict:
    """Wire name → SDK parameter name, per location, read from the generated `_<op>_serialize` method."""
    op: dict = {'path': {}, 'query': {}, 'header': {}, 'form': {}, 'body': None}
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'param_serialize':
            for kw in node.keywords:
                if kw.arg == 'method':
                    op['method'] = kw.value.value
                if kw.arg == 'resource_path':
                    op['template'] = kw.value.value
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            where = {'_path_params': 'path', '_header_params': 'header'}.get(getattr(target.value, 'id', ''))
            if where and isinstance(target.slice, ast.Constant) and isinstance(node.value, ast.Name):
                op[where][target.slice.value] = node.value.id
        elif isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == '_body_params':
            if isinstance(node.value, ast.Name):
                op['body'] = node.value.id
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'append':
            where = {'_query_params': 'query', '_form_params': 'form'}.get(getattr(node.func.value, 'id', ''))
            item = node.args[0] if node.args else None
            if where and isinstance(item, ast.Tuple) and isinstance(item.elts[0], ast.Constant):
                value = item.elts[1]
                op[where][item.elts[0].value] = re.match(r'\w+', ast.unparse(value)).group(0)  # `status.value`, `d.strftime(…)`
    return op


def response_types(func: ast.FunctionDef) -> dict[str, str | None]:
    for node in ast.walk(func):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, 'id', '') == '_response_types_map':
            return {k.value: getattr(v, 'value', None) for k, v in zip(node.value.keys, node.value.values)}
    return {}


def validate_param(annotation, raw: str):
    """Wire values are strings; a parameter typed int/bool/enum is tried with the value read as JSON."""
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(annotation)
    try:
        adapter.validate_python(raw)
        return None
    except ValidationError as first:
        try:
            adapter.validate_python(json.loads(raw))
            return None
        except (ValueError, ValidationError):
            return short(first)


def short(error) -> str:
    return '; '.join(f"{'.'.join(map(str, e['loc'])) or '(value)'}: {e['msg']}" for e in error.errors())


def models_in(annotation) -> list[type]:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found.extend(models_in(arg))
    return found


def undeclared_fields(model, data, where: str, out: list[tuple[str, str, str]]) -> None:
    """Fields of `data` that `model` (recursively) does not declare: (location, field name, model name)."""
    if isinstance(data, list):
        for i, item in enumerate(data):
            undeclared_fields(model, item, f'{where}[{i}]', out)
        return
    if not isinstance(data, dict) or 'actual_instance' in model.model_fields:
        return
    declared = {(f.alias or name): f for name, f in model.model_fields.items() if name != 'additional_properties'}
    for key, value in data.items():
        field = declared.get(key)
        if field is None:
            out.append((where, key, model.__name__))
            continue
        for inner in models_in(field.annotation)[:1]:
            undeclared_fields(inner, value, f'{where}.{key}', out)


def owner_of(model, loc) -> tuple[str, str]:
    """The model that declares the field a pydantic error location ends at, and the field's wire name."""
    owner, field = model, ''
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {(f.alias or name): f for name, f in owner.model_fields.items()} if owner else {}
        field = str(part)
        inner = models_in(fields[field].annotation) if field in fields else []
        if inner and part != loc[-1]:
            owner = inner[0]
    return (owner.__name__ if owner else '?', field)


class Report:
    def __init__(self):
        self.errors: list[dict] = []
        self.not_in_spec: dict[str, int] = {}
        self.custom_fields: dict[str, set[str]] = {}
        self.unlisted_status: dict[str, set[int]] = {}
        self.operations: dict[str, dict] = {}
        self.pairs_validated = 0
        self.conflicts: dict[tuple[str, str], int] = {}

    def conflict(self, key: tuple[str, str]) -> bool:
        if key not in KNOWN_SPEC_CONFLICTS:
            return False
        self.conflicts[key] = self.conflicts.get(key, 0) + 1
        return True

    def validation_errors(self, index, label, model, error, what) -> None:
        for e in error.errors():
            if model is not None and self.conflict(owner_of(model, e['loc'])):
                continue
            self.error(index, label, f"{what}: {'.'.join(map(str, e['loc'])) or '(value)'}: {e['msg']}")

    def error(self, index: int, label: str, what: str) -> None:
        self.errors.append({'exchange': index, 'operation': label, 'error': what})

    def check_fields(self, index, label, model, data, side) -> None:
        found: list[tuple[str, str, str]] = []
        undeclared_fields(model, data, side, found)
        for where, key, owner in found:
            if self.conflict((owner, key)):
                continue
            if CUSTOM_FIELD.search(key):
                self.custom_fields.setdefault(f'{label} {where}', set()).add(key)
            else:
                self.error(index, label, f'{where}: field {key!r} is not in {owner}')


def check(sdk: Sdk, exchanges: list[dict]) -> Report:
    from pydantic import TypeAdapter, ValidationError

    report = Report()
    for index, ex in enumerate(exchanges):
        method, path = ex['method'].upper(), ex['path']
        ops = sdk.operations_for(method, path)
        if not ops:
            key = f'{method} {path}'
            report.not_in_spec[key] = report.not_in_spec.get(key, 0) + 1
            continue
        op = ops[0]
        label = f"{method} {op['template']}"
        entry = report.operations.setdefault(
            label, {'sdkOperation': f"{op['api']}.{op['name']}", 'pairs': 0, 'statuses': set()}
        )
        entry['pairs'] += 1
        entry['statuses'].add(ex['status'])
        hints = sdk.signature(op)
        errors_before = len(report.errors)

        # ---- request ----
        template_parts, path_parts = op['template'].split('/'), path.split('/')
        for t, value in zip(template_parts, path_parts):
            if t.startswith('{'):
                problem = validate_param(hints[op['path'][t[1:-1]]], value)
                if problem:
                    report.error(index, label, f'path parameter {t}: {problem}')
        for name, value in (ex.get('query') or {}).items():
            param = op['query'].get(name)
            if param is None:
                report.error(index, label, f'query parameter {name!r} is not in the spec for this operation')
                continue
            problem = validate_param(hints[param], value)
            if problem:
                report.error(index, label, f'query parameter {name}={value!r}: {problem}')
        headers = {k.lower(): v for k, v in (ex.get('requestHeaders') or {}).items()}
        declared_headers = {k.lower(): v for k, v in op['header'].items()}
        for name, value in headers.items():
            if name not in ZUORA_HEADERS:
                continue
            if name not in declared_headers:
                report.error(index, label, f'header {name} is not in the spec for this operation')
                continue
            problem = validate_param(hints[declared_headers[name]], value)
            if problem:
                report.error(index, label, f'header {name}: {problem}')
            if name == 'zuora-track-id' and TRACK_ID_FORBIDDEN.search(value):
                report.error(index, label, f'header zuora-track-id {value!r}: must be US-ASCII without : ; " \'')
        body = ex.get('requestBody')
        if op['form']:
            for wire, param in op['form'].items():
                value = (body or {}).get(wire)
                problem = validate_param(hints[param], value) if value is not None else 'missing'
                if problem:
                    report.error(index, label, f'form field {wire}: {problem}')
        elif op['body']:
            annotation = hints[op['body']]
            if body is None:
                report.error(index, label, 'request body missing')
            else:
                try:
                    TypeAdapter(annotation).validate_python(body)
                except ValidationError as error:
                    report.validation_errors(index, label, next(iter(models_in(annotation)), None), error, 'request body')
                for model in models_in(annotation)[:1]:
                    report.check_fields(index, label, model, body, 'request')

        # ---- response ----
        status = str(ex['status'])
        if status in op['responses']:
            model_name = op['responses'][status]
        else:
            model_name = UNLISTED_STATUS_MODEL
            report.unlisted_status.setdefault(label, set()).add(ex['status'])
        response = ex.get('responseBody')
        if model_name is not None:
            container = re.fullmatch(r'List\[(\w+)\]', model_name)
            model = sdk.model(container.group(1) if container else model_name)
            if response is None:
                report.error(index, label, f'{status} response has no JSON body ({model_name} expected)')
            else:
                try:
                    if container:
                        TypeAdapter(typing.List[model]).validate_python(response)
                    else:
                        model.model_validate(response)
                except ValidationError as error:
                    report.validation_errors(index, label, model, error, f'{status} response ({model_name})')
                report.check_fields(index, label, model, response, f'response {status}')
        if len(report.errors) == errors_before:
            report.pairs_validated += 1
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sdk', required=True, type=Path, help='directory that holds the zuora_sdk package')
    parser.add_argument('exchanges', type=Path)
    args = parser.parse_args()
    sdk = Sdk(args.sdk)
    exchanges = json.loads(args.exchanges.read_text())
    report = check(sdk, exchanges)
    out = {
        'sdk': 'zuora-sdk ' + (sdk.version.group(1) if sdk.version else '?'),
        'spec': sdk.spec_version.group(1) if sdk.spec_version else '?',
        'exchanges': len(exchanges),
        'operationsChecked': len(report.operations),
        'pairsValidated': report.pairs_validated,
        'operations': {
            k: {**v, 'statuses': sorted(v['statuses'])} for k, v in sorted(report.operations.items())
        },
        'notInSpec': [{'operation': k, 'exchanges': n} for k, n in sorted(report.not_in_spec.items())],
        'customFieldsAsAdditionalProperties': {k: sorted(v) for k, v in sorted(report.custom_fields.items())},
        'statusesNotListedForTheOperation': {
            k: {'statuses': sorted(v), 'checkedAgainst': UNLISTED_STATUS_MODEL}
            for k, v in sorted(report.unlisted_status.items())
        },
        'knownSpecConflicts': {
            f'{m}.{f}': {'exchanges': n, 'why': KNOWN_SPEC_CONFLICTS[(m, f)]}
            for (m, f), n in sorted(report.conflicts.items())
        },
        'errors': report.errors,
    }
    print(json.dumps(out, indent=2))
    return 1 if report.errors else 0


if __name__ == '__main__':
    sys.exit(main())
