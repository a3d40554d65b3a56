//! Every operation of every vendored spec is classified as replay-safe or not, so a new version
//! or API family cannot reach users half-classified, and the generated tables say the same.

use scalexpert_spec_engine::{load_file, operations, Layout, Replay};
use std::path::Path;

#[test]
fn every_vendored_operation_is_classified_for_replay() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let layout = Layout::default();
    let mut checked = 0;
    let mut unclassified = Vec::new();
    for version in layout.discover(&specs).expect("specs/") {
        let file = version.file(layout.generated_from());
        let doc = load_file(&file).expect("spec loads");
        for op in operations(&doc.value) {
            checked += 1;
            if op.replay.is_none() {
                unclassified.push(format!(
                    "{}: {} {} ({})",
                    file.display(),
                    op.method,
                    op.path,
                    op.operation_id
                ));
            }
        }
    }
    assert!(checked > 50, "only {checked} operations found under specs/");
    assert!(
        unclassified.is_empty(),
        "add these to spec-engine/src/operations.rs REPLAY:\n{}",
        unclassified.join("\n")
    );
}

#[cfg(feature = "e-financing-1_7_1")]
#[test]
fn the_generated_table_carries_the_classification() {
    use scalexpert::e_financing::v1_7_1::OPERATIONS;
    let create = scalexpert::Operation::by_id(OPERATIONS, "initiateCreditSubscription")
        .expect("create is in the table");
    assert_eq!(create.method_name, "initiate_credit_subscription");
    assert_eq!(create.replay, scalexpert::Replay::Unsafe);
    for op in OPERATIONS {
        let engine = scalexpert_spec_engine::replay_of(op.method, op.id).expect("classified");
        let generated = match op.replay {
            scalexpert::Replay::Safe => Replay::Safe,
            scalexpert::Replay::Unsafe => Replay::Unsafe,
        };
        assert_eq!(engine, generated, "{}", op.id);
    }
}
