use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(version = "v1", kind = "Foo")]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
