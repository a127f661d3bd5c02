use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo")]
pub enum FooSpec {
    Small,
}

fn main() {}
