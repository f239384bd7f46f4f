{#- Fails unless the model has exactly `expected` rows. -#}
{% test row_count(model, expected) %}
select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count <> {{ expected }}
{% endtest %}
