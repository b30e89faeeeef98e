// paperkg's Neo4j schema: run before any write (kg.stores.neo4j_store does; so does the
// `kg export cypher` script). One uniqueness constraint on `id` per node label of kg.schema
// NODE_KINDS (the NetworkX node id: "paper:2301.00001", "dataset:squad-2-0"), which also gives
// every MERGE on id an index, and an index on `name` for people writing their own Cypher.
// Statements end with ";"; lines starting with "//" are comments.
CREATE CONSTRAINT paperkg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_method_id IF NOT EXISTS FOR (n:Method) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_metric_id IF NOT EXISTS FOR (n:Metric) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT paperkg_link_id IF NOT EXISTS FOR (n:Link) REQUIRE n.id IS UNIQUE;
CREATE INDEX paperkg_paper_date IF NOT EXISTS FOR (n:Paper) ON (n.date);
CREATE INDEX paperkg_model_name IF NOT EXISTS FOR (n:Model) ON (n.name);
CREATE INDEX paperkg_dataset_name IF NOT EXISTS FOR (n:Dataset) ON (n.name);
CREATE INDEX paperkg_method_name IF NOT EXISTS FOR (n:Method) ON (n.name);
CREATE INDEX paperkg_task_name IF NOT EXISTS FOR (n:Task) ON (n.name);
CREATE INDEX paperkg_metric_name IF NOT EXISTS FOR (n:Metric) ON (n.name);
CREATE INDEX paperkg_organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX paperkg_link_name IF NOT EXISTS FOR (n:Link) ON (n.name);
