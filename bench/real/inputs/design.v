// A small ice40 design: a free-running counter, a 16-bit LFSR and an 8x8 multiply-accumulate.
module top(input clk, input rst, input [7:0] a, input [7:0] b, output [7:0] leds, output [15:0] acc_out);
  reg [23:0] count;
  reg [15:0] lfsr;
  reg [15:0] acc;
  always @(posedge clk)
    if (rst) begin
      count <= 0;
      lfsr <= 16'hace1;
      acc <= 0;
    end else begin
      count <= count + 1;
      lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
      acc <= acc + a * b + lfsr[7:0];
    end
  assign leds = count[23:16] ^ lfsr[15:8];
  assign acc_out = acc;
endmodule
