use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo")]
#[kubeset(printcolumn(name = "Size", type = "int", json_path = ".spec.size"))]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
