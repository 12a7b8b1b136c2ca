"""Tests of skdae._pipeline_steps.final_step."""

from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skdae._pipeline_steps import final_step


def test_final_step_of_an_estimator_is_itself():
    scaler = StandardScaler()
    assert final_step(scaler) is scaler
    assert final_step(None) is None


def test_final_step_of_a_pipeline_and_of_nested_pipelines():
    scaler = StandardScaler()
    assert final_step(make_pipeline(MinMaxScaler(), scaler)) is scaler
    nested = Pipeline([("outer", make_pipeline(MinMaxScaler(), make_pipeline(scaler)))])
    assert final_step(nested) is scaler


def test_final_step_of_an_empty_steps_list_is_the_object_itself():
    class Odd:
        steps = []

    odd = Odd()
    assert final_step(odd) is odd
